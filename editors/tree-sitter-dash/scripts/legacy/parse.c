#include <tree_sitter/runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
const TSLanguage *tree_sitter_dash(void);
int main(int argc, char **argv) {
  int bad = 0;
  int print = getenv("PRINT") != NULL;
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) { perror(argv[i]); return 2; }
    fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1); fread(buf, 1, n, f); buf[n] = 0; fclose(f);
    TSParser *p = ts_parser_new();
    ts_parser_set_language(p, tree_sitter_dash());
    TSTree *t = ts_parser_parse_string(p, NULL, buf, n);
    TSNode root = ts_tree_root_node(t);
    char *s = ts_node_string(root);
    int err = ts_node_has_error(root);
    if (print) printf("%s\n", s);
    printf("%s %s\n", err ? "ERROR" : "ok", argv[i]);
    if (err) { bad++; if (!print) printf("%s\n", s); }
    free(s); ts_tree_delete(t); ts_parser_delete(p); free(buf);
  }
  return bad ? 1 : 0;
}
