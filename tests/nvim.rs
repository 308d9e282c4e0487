//! End to end: headless Neovim talks to `dashc lsp` and shows Dash
//! diagnostics at the right line; a definition jump lands right.
//! `.ci/run` installs Neovim when it is missing.

use std::process::Command;

#[test]
fn neovim_shows_dash_diagnostics() {
    let nvim = Command::new("nvim").arg("--version").output();
    assert!(
        nvim.is_ok_and(|o| o.status.success()),
        "Neovim is required for this test: install it (`apt-get install neovim`); .ci/run does"
    );
    let dir = std::env::temp_dir().join(format!("dash-nvim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("weather.dash");
    std::fs::write(
        &file,
        "type Reading {\n  station: string\n  temp_c: float\n}\n\n\
         transform f(r: Reading) -> float {\n  let x = 1.0\n  r.temp_c * x + r.tmp\n}\n",
    )
    .unwrap();
    let out = dir.join("out.txt");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/check.lua");
    let status = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("DASH_NVIM_FILE", &file)
        .env("DASH_NVIM_OUT", &out)
        .env("DASH_NVIM_DASHC", env!("CARGO_BIN_EXE_dashc"))
        .env("XDG_STATE_HOME", &dir)
        .env("XDG_DATA_HOME", &dir)
        .status()
        .expect("run nvim");
    assert!(status.success());
    let seen = std::fs::read_to_string(&out).expect("nvim wrote its output");
    assert!(seen.contains("diagnostics true"), "{seen}");
    // `tmp` of `r.tmp` is on line 8, column 20 (1-based).
    assert!(seen.contains("diagnostic 8:20 E0005"), "{seen}");
    // `temp_c` is declared on line 3, column 3.
    assert!(seen.contains("definition 3:3"), "{seen}");
    std::fs::remove_dir_all(&dir).ok();
}
