//! Compiles the protobuf schemas into Rust types with protox and
//! prost-build, so no `protoc` binary is needed anywhere:
//! `proto/profile.proto` (the pprof wire schema), and the query APIs of
//! the continuous profilers that `source::fleet` calls (`proto/pyroscope`,
//! `proto/parca`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/profile.proto");
    let fds = protox::compile(["proto/profile.proto"], ["proto"])?;
    prost_build::Config::new().compile_fds(fds)?;

    println!("cargo:rerun-if-changed=proto/pyroscope");
    println!("cargo:rerun-if-changed=proto/parca");
    compile_api("proto/pyroscope", &["querier/v1/querier.proto"], &["querier.v1", "types.v1", "google.v1"])?;
    compile_api(
        "proto/parca",
        &["parca/query/v1alpha1/query.proto"],
        &["parca.query.v1alpha1", "parca.metastore.v1alpha1", "parca.profilestore.v1alpha1"],
    )?;
    Ok(())
}

/// Compiles `files` under `root` and generates code for the packages in
/// `keep` and the well-known types (which prost maps to prost-types) only:
/// the imports that merely declare options (OpenAPI and REST annotations)
/// need none.
fn compile_api(root: &str, files: &[&str], keep: &[&str]) -> Result<(), Box<dyn std::error::Error>> {
    let mut fds = protox::compile(files, [root])?;
    fds.file.retain(|f| keep.contains(&f.package()) || f.package() == "google.protobuf");
    prost_build::Config::new().compile_fds(fds)?;
    Ok(())
}
