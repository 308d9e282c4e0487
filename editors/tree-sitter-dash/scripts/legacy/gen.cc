#include <tree_sitter/compiler.h>
#include <cstdio>
#include <string>
#include <iostream>
#include <sstream>
int main() {
  std::stringstream ss; ss << std::cin.rdbuf();
  std::string input = ss.str();
  TSCompileResult r = ts_compile_grammar(input.c_str(), nullptr);
  if (r.error_type != TSCompileErrorTypeNone) {
    fprintf(stderr, "error %d: %s\n", (int)r.error_type, r.error_message);
    return 1;
  }
  fputs(r.code, stdout);
  return 0;
}
