//! The spec as a product: every example in `openapi.yaml` is valid against its schema,
//! and the Rust side agrees with the spec on the actions.

mod common;

use common::spec::Spec;
use openapiv3::{MediaType, ReferenceOr, Schema};
use thulium_webhooks::Action;

/// Checks the examples of one media type; returns how many were checked.
fn check_media(spec: &Spec, place: &str, media: &MediaType, problems: &mut Vec<String>) -> usize {
    let Some(schema) = &media.schema else { return 0 };
    let mut examples: Vec<(String, serde_json::Value)> = Vec::new();
    if let Some(example) = &media.example {
        examples.push(("example".into(), example.clone()));
    }
    for (name, example) in &media.examples {
        if let ReferenceOr::Item(example) = example {
            examples.push((name.clone(), example.value.clone().expect("examples have values")));
        }
    }
    for (name, value) in &examples {
        for problem in spec.violations(schema, value) {
            problems.push(format!("{place} {name}: {problem}"));
        }
    }
    examples.len()
}

#[test]
fn every_example_matches_its_schema() {
    let spec = Spec::load();
    let mut problems = Vec::new();
    let mut checked = 0;
    let components = spec.0.components.as_ref().unwrap();
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else { continue };
        if let Some(example) = &schema.schema_data.example {
            checked += 1;
            let mut found = Vec::new();
            spec.check(schema, example, &format!("schema {name}"), &mut found);
            problems.extend(found);
        }
        if let openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) = &schema.schema_kind {
            for (property, property_schema) in &object.properties {
                if let ReferenceOr::Item(property_schema) = property_schema {
                    let property_schema: &Schema = property_schema;
                    if let Some(example) = &property_schema.schema_data.example {
                        checked += 1;
                        spec.check(
                            property_schema,
                            example,
                            &format!("{name}.{property}"),
                            &mut problems,
                        );
                    }
                }
            }
        }
    }
    for (name, response) in &components.responses {
        if let ReferenceOr::Item(response) = response {
            for media in response.content.values() {
                checked += check_media(&spec, &format!("response {name}"), media, &mut problems);
            }
        }
    }
    for (path, item) in &spec.0.paths.paths {
        let ReferenceOr::Item(item) = item else { continue };
        for (method, operation) in item.iter() {
            let place = format!("{method} {path}");
            if let Some(ReferenceOr::Item(body)) = &operation.request_body {
                for media in body.content.values() {
                    checked +=
                        check_media(&spec, &format!("{place} request"), media, &mut problems);
                }
            }
            for (status, response) in &operation.responses.responses {
                if let ReferenceOr::Item(response) = response {
                    for media in response.content.values() {
                        checked +=
                            check_media(&spec, &format!("{place} {status}"), media, &mut problems);
                    }
                }
            }
            for (name, callback) in &operation.callbacks {
                for (expression, callback_item) in callback {
                    for (callback_method, callback_operation) in callback_item.iter() {
                        if let Some(ReferenceOr::Item(body)) = &callback_operation.request_body {
                            for media in body.content.values() {
                                let place =
                                    format!("callback {name} {callback_method} {expression}");
                                checked += check_media(&spec, &place, media, &mut problems);
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(checked >= 30, "only {checked} examples were found: the walk over the spec is broken");
}

#[test]
fn the_validator_rejects_what_it_should() {
    // The test above is only worth something if the validator can fail.
    let spec = Spec::load();
    let webhook = spec.schema("Webhook");
    let mut problems = Vec::new();
    spec.check(
        webhook,
        &serde_json::json!({"id": "5", "actions": ["NOPE"], "http_auth_user": 3}),
        "$",
        &mut problems,
    );
    assert_eq!(problems.len(), 4, "{problems:#?}");
    let notification = ReferenceOr::ref_("#/components/schemas/Notification");
    assert!(
        spec.violations(&notification, &serde_json::json!({"action": "CUSTOMER_CREATED"})).len()
            == 1
    );
    assert!(
        spec.violations(
            &notification,
            &serde_json::json!({"action": "CUSTOMER_CREATED", "customer_id": 1})
        )
        .is_empty()
    );
}

#[test]
fn rust_and_spec_agree_on_the_actions() {
    let spec = Spec::load();
    let openapiv3::SchemaKind::Type(openapiv3::Type::String(action)) =
        &spec.schema("Action").schema_kind
    else {
        panic!("Action is a string enum")
    };
    let in_spec: Vec<&str> = action.enumeration.iter().flatten().map(String::as_str).collect();
    let in_rust: Vec<&str> = Action::KNOWN.iter().map(Action::as_str).collect();
    assert_eq!(in_spec, in_rust);
    for name in in_rust {
        assert!(
            thulium_webhooks::Notification::example_fields(&Action::from_name(name)).is_some(),
            "{name} has a notification schema with an example"
        );
    }
}
