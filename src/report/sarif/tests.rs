use std::path::Path;

use super::*;

#[test]
fn paths_become_uri_references() {
    assert_eq!(percent_encode_path("pkg/a b.py"), "pkg/a%20b.py");
    assert_eq!(percent_encode_path("a:b/c#d%.py"), "a%3Ab/c%23d%25.py");
    assert_eq!(percent_encode_path("pkg/ü.py"), "pkg/%C3%BC.py");
}

#[cfg(unix)]
#[test]
fn roots_become_directory_uris() {
    assert_eq!(directory_uri(Path::new("/")), "file:///");
    assert_eq!(
        directory_uri(Path::new("/work/a b/./x/../repo")),
        "file:///work/a%20b/repo/"
    );
}

#[test]
fn regions_never_end_before_they_start() -> Result<(), Box<dyn std::error::Error>> {
    let at = |line, column| LineCol { line, column };
    assert!(Region::new(at(0, 0), at(0, 0)).is_none());
    let region = Region::new(at(3, 0), at(2, 9)).ok_or("no region")?;
    assert_eq!(
        (
            region.start_line,
            region.start_column,
            region.end_line,
            region.end_column
        ),
        (3, 1, 3, 1)
    );
    Ok(())
}
