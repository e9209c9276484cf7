//! Generates the typed Thulium client from `openapi.yaml` with progenitor.
//!
//! The spec is the single source of truth: edit it, and the next `cargo build` writes
//! `$OUT_DIR/codegen.rs` again (which `src/generated.rs` includes). Nothing generated is
//! committed. Hand-written types replace two schemas of the spec (see below); everything
//! else comes straight from the spec.

use std::{env, fs, path::Path};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};

const SPEC: &str = "openapi.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");

    let text = fs::read_to_string(SPEC).unwrap_or_else(|e| fail(&format!("cannot read it: {e}")));
    // Deserialize straight into openapiv3 (not through serde_json::Value) so that a
    // mistake is reported with its line and column in openapi.yaml.
    let spec: openapiv3::OpenAPI = serde_saphyr::from_str(&text)
        .unwrap_or_else(|e| fail(&format!("not a valid OpenAPI 3.0 document:\n{e}")));

    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Positional)
        // The hand-written layer carries the credentials in the client and adds them in
        // `ClientHooks::pre` (progenitor ignores `securitySchemes`).
        .with_inner_type(quote::quote!(crate::hooks::CallContext))
        .with_hooks(HooksMode::Expected)
        // progenitor makes closed enums: an action Thulium adds later would fail a
        // whole list response. Our `Action` keeps unknown names.
        .with_replacement(
            "Action",
            "crate::action::Action",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        )
        // A derived `Debug` would print webhook passwords; `Secret` redacts them.
        .with_replacement(
            "Password",
            "crate::secret::Secret",
            [TypeImpl::Display].into_iter(),
        )
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");

    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .unwrap_or_else(|e| fail(&format!("progenitor cannot generate a client from it: {e}")));
    let file: syn::File = syn::parse2(tokens).unwrap_or_else(|e| {
        fail(&format!(
            "progenitor produced code that does not parse: {e}"
        ))
    });

    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("codegen.rs");
    fs::write(&out, prettyplease::unparse(&file))
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

/// Stops the build with a message that names the spec, so the fix is made there.
fn fail(message: &str) -> ! {
    eprintln!("error: {SPEC}: {message}");
    panic!("{SPEC}: {message}");
}
