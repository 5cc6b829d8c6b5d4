//! Names the build for `tessera --version`: the git commit the binary was
//! built from (short hash, `-dirty` when tracked files differed from it), or
//! `TESSERA_BUILD_COMMIT` where there is no git checkout (a container build
//! context without `.git`), else `unknown`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=TESSERA_BUILD_COMMIT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = git_commit(&manifest_dir)
        .or_else(|| {
            std::env::var("TESSERA_BUILD_COMMIT")
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TESSERA_BUILD_COMMIT={commit}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn git_commit(dir: &Path) -> Option<String> {
    let hash = git(dir, &["rev-parse", "--short", "HEAD"])?;
    watch_git_state(dir);
    let status = git(dir, &["status", "--porcelain", "--untracked-files=no"])?;
    Some(if status.is_empty() {
        hash
    } else {
        format!("{hash}-dirty")
    })
}

/// Reruns this script when the commit or the built sources change, and only
/// then. A worktree's `.git` is a file: its HEAD and index live in the
/// worktree's git dir, the branches in the common dir. Only existing paths
/// are named, since cargo reruns every time for a missing one.
fn watch_git_state(dir: &Path) {
    let path = |args: &[&str]| git(dir, args).map(PathBuf::from);
    let (Some(git_dir), Some(common_dir)) = (
        path(&["rev-parse", "--absolute-git-dir"]),
        path(&["rev-parse", "--path-format=absolute", "--git-common-dir"]),
    ) else {
        return;
    };
    let watch = |p: &Path| {
        if p.exists() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    };
    watch(&git_dir.join("HEAD"));
    watch(&git_dir.join("index"));
    watch(&common_dir.join("packed-refs"));
    if let Some(head_ref) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        let loose = common_dir.join(head_ref);
        if loose.exists() {
            watch(&loose);
        } else if let Some(parent) = loose.parent() {
            // The branch is only in packed-refs: its next commit writes the
            // loose file here.
            watch(parent);
        }
    }
    // Edits that make the tree dirty without touching git's files: the
    // workspace's crates (a directory is watched recursively) and manifests.
    if let Some(top) = path(&["rev-parse", "--show-toplevel"]) {
        watch(&top.join("crates"));
        watch(&top.join("Cargo.toml"));
        watch(&top.join("Cargo.lock"));
    }
}
