//! Generates the typed Thulium client from `openapi.yaml` with progenitor.
//!
//! The spec is the single source of truth: edit it, and the next `cargo build` writes
//! `$OUT_DIR/codegen.rs` again (which `src/generated.rs` includes). Nothing generated is
//! committed. Hand-written types replace six schemas of the spec (see below); everything
//! else comes straight from the spec.

use std::{env, fs, path::Path};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};

const SPEC: &str = "openapi.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");

    let started = std::time::Instant::now();
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
        // Thulium sends ids as numbers or numeric strings, and dates without a zone;
        // these hand-written types accept exactly that. The `Notification` oneOf becomes
        // an open enum that keeps unknown actions.
        .with_replacement(
            "NotificationId",
            "crate::notification::Id",
            [TypeImpl::Display].into_iter(),
        )
        .with_replacement("WebhookId", "crate::notification::Id", [TypeImpl::Display].into_iter())
        .with_replacement(
            "NotificationDate",
            "crate::notification::LocalDateTime",
            [TypeImpl::Display].into_iter(),
        )
        .with_replacement("Notification", "crate::notification::Event", std::iter::empty())
        // A derived `Debug` would print webhook passwords; `Secret` redacts them.
        .with_replacement("Password", "crate::secret::Secret", [TypeImpl::Display].into_iter())
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");

    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .unwrap_or_else(|e| fail(&format!("progenitor cannot generate a client from it: {e}")));
    let file: syn::File = syn::parse2(tokens)
        .unwrap_or_else(|e| fail(&format!("progenitor produced code that does not parse: {e}")));

    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    write(&Path::new(&out_dir).join("codegen.rs"), &prettyplease::unparse(&file));
    write(&Path::new(&out_dir).join("notification_examples.rs"), &notification_examples(&spec));
    // How long generation took, for `cargo bench --bench compare` to report.
    let elapsed = format!("{:.1} ms\n", started.elapsed().as_secs_f64() * 1000.0);
    write(&Path::new(&out_dir).join("codegen_time.txt"), &elapsed);
}

/// Two tables from the `*Notification` schemas: each action's documented example as text
/// fields (what a form-encoded notification carries), and each action's documented field
/// names. The simulator sends the examples by default and the parser uses the names to
/// tell documented fields from extra ones, so neither can drift from the spec.
fn notification_examples(spec: &openapiv3::OpenAPI) -> String {
    let mut examples = String::from(
        "/// The spec's example of each known notification: (action, [(field, text)]).\n\
         pub(crate) const NOTIFICATION_EXAMPLES: &[(&str, &[(&str, &str)])] = &[\n",
    );
    let mut names = String::from(
        "/// The fields the spec documents for each known notification: (action, [field]).\n\
         pub(crate) const NOTIFICATION_FIELDS: &[(&str, &[&str])] = &[\n",
    );
    let schemas = spec.components.as_ref().map(|c| &c.schemas);
    for (name, schema) in schemas.into_iter().flatten() {
        let openapiv3::ReferenceOr::Item(schema) = schema else { continue };
        if !name.ends_with("Notification") || name == "Notification" {
            continue;
        }
        let Some(serde_json::Value::Object(example)) = &schema.schema_data.example else {
            fail(&format!("schema {name} has no example object; the simulator needs one"));
        };
        let Some(action) = example.get("action").and_then(|a| a.as_str()) else {
            fail(&format!("the example of {name} has no action"));
        };
        let openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) = &schema.schema_kind
        else {
            fail(&format!("schema {name} is not an object"));
        };
        // `action` first, as Thulium sends it; then the rest.
        examples.push_str(&format!("    ({action:?}, &[(\"action\", {action:?}), "));
        for (field, value) in example.iter().filter(|(field, _)| *field != "action") {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            examples.push_str(&format!("({field:?}, {text:?}), "));
        }
        examples.push_str("]),\n");
        let fields: Vec<String> = object.properties.keys().map(|k| format!("{k:?}")).collect();
        names.push_str(&format!("    ({action:?}, &[{}]),\n", fields.join(", ")));
    }
    examples.push_str("];\n");
    names.push_str("];\n");
    examples + &names
}

fn write(path: &Path, contents: &str) {
    fs::write(path, contents)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", path.display())));
}

/// Stops the build with a message that names the spec, so the fix is made there.
fn fail(message: &str) -> ! {
    eprintln!("error: {SPEC}: {message}");
    panic!("{SPEC}: {message}");
}
