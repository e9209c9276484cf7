//! Drift guard: the client progenitor generates from `openapi.yaml`. A change to the spec
//! or a progenitor upgrade shows up here as a reviewed snapshot diff.

#[test]
fn generated_client() {
    insta::assert_snapshot!(include_str!(concat!(env!("OUT_DIR"), "/codegen.rs")));
}
