//! Embeds the migration files: `$OUT_DIR/migrations.rs` lists each backend's files, in
//! order, with their text (`include_str!`), for `crate::migrations`. Cargo is told to run
//! this again when a file is added or changed.
use std::fmt::Write;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=migrations");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut out = String::new();
    for (name, dir) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        let dir = root.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        let _ = writeln!(out, "pub(crate) const {name}: &[(&str, &str)] = &[");
        for f in files {
            let file = f.file_name().map(|n| n.to_string_lossy().to_string());
            let _ = writeln!(
                out,
                "    ({:?}, include_str!({:?})),",
                file.unwrap_or_default(),
                f.display().to_string()
            );
        }
        out.push_str("];\n");
    }
    let dest = Path::new(&std::env::var("OUT_DIR")?).join("migrations.rs");
    std::fs::write(&dest, out).map_err(|e| format!("writing {}: {e}", dest.display()))?;
    Ok(())
}
