//! glibc's allocator, which SQLite allocates through (Rust code allocates through
//! mimalloc, see `main.rs`).
//!
//! Left to itself glibc gives each thread that allocates under contention an arena of its
//! own (SQLite's reader connections each run on a thread), and once a large block has been
//! freed it raises its thresholds for returning memory to the system to twice that
//! block's size: the server kept memory it no longer used (docs/decisions/0004). Fixed
//! thresholds keep large blocks mapped apart and returned when freed, and let an arena
//! give back free memory above 128 KB; two arenas are enough, since SQLite takes a mutex around each allocation anyway (its
//! memory accounting, which the soft heap limit needs, is on).

/// Bounds glibc's arenas and fixes its thresholds. Call first thing in `main`, before any
/// thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn bound_glibc_allocator() {
    const THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: `mallopt` only changes parameters of glibc's allocator, takes plain integers
    // and is called before any other thread exists. A refusal (it returns 0) leaves
    // glibc's defaults, which are correct, only larger.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD);
    }
}

/// Elsewhere there is no glibc to tune.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn bound_glibc_allocator() {}
