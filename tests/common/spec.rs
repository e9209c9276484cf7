//! `openapi.yaml` read with openapiv3, and a validator for the part of JSON Schema the
//! spec uses (`$ref`, object/required/properties, array/items/minItems, string/enum,
//! integer, boolean, nullable). Enough to hold the simulator, and the spec's own
//! examples, to what the spec says.

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, StatusCode, Type};
use serde_json::Value;

pub struct Spec(pub OpenAPI);

impl Spec {
    pub fn load() -> Spec {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
        Spec(serde_saphyr::from_str(&text).unwrap())
    }

    /// The JSON schema of the answer to `method path` with `status` (exact code first,
    /// then the `4XX`/`5XX` range). Panics when the spec does not document the status:
    /// an undocumented status is itself a failure.
    pub fn response_schema(&self, method: &str, path: &str, status: u16) -> &ReferenceOr<Schema> {
        let item = match self
            .0
            .paths
            .paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} not in the spec"))
        {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => panic!("path refs are not used"),
        };
        let operation = match method {
            "GET" => item.get.as_ref(),
            "POST" => item.post.as_ref(),
            _ => None,
        }
        .unwrap_or_else(|| panic!("{method} {path} not in the spec"));
        let responses = &operation.responses.responses;
        let response = responses
            .get(&StatusCode::Code(status))
            .or_else(|| responses.get(&StatusCode::Range(status / 100)))
            .unwrap_or_else(|| panic!("{method} {path}: status {status} is not documented"));
        let response = match response {
            ReferenceOr::Item(response) => response,
            ReferenceOr::Reference { reference } => {
                let name = reference.trim_start_matches("#/components/responses/");
                match &self.0.components.as_ref().unwrap().responses[name] {
                    ReferenceOr::Item(response) => response,
                    ReferenceOr::Reference { .. } => panic!("nested response refs are not used"),
                }
            }
        };
        response.content["application/json"].schema.as_ref().expect("a JSON schema")
    }

    pub fn schema(&self, name: &str) -> &Schema {
        match &self.0.components.as_ref().unwrap().schemas[name] {
            ReferenceOr::Item(schema) => schema,
            ReferenceOr::Reference { .. } => panic!("schema {name} is a bare ref"),
        }
    }

    fn resolve<'a>(&'a self, schema: &'a ReferenceOr<Schema>) -> &'a Schema {
        match schema {
            ReferenceOr::Item(schema) => schema,
            ReferenceOr::Reference { reference } => {
                self.schema(reference.trim_start_matches("#/components/schemas/"))
            }
        }
    }

    fn resolve_boxed<'a>(&'a self, schema: &'a ReferenceOr<Box<Schema>>) -> &'a Schema {
        match schema {
            ReferenceOr::Item(schema) => schema,
            ReferenceOr::Reference { reference } => {
                self.schema(reference.trim_start_matches("#/components/schemas/"))
            }
        }
    }

    /// Every way `value` breaks `schema`, each with its JSON path.
    pub fn violations(&self, schema: &ReferenceOr<Schema>, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        self.check(self.resolve(schema), value, "$", &mut problems);
        problems
    }

    pub fn check(&self, schema: &Schema, value: &Value, at: &str, problems: &mut Vec<String>) {
        if value.is_null() {
            if !schema.schema_data.nullable {
                problems.push(format!("{at}: null where the schema is not nullable"));
            }
            return;
        }
        if let SchemaKind::OneOf { one_of } = &schema.schema_kind {
            let matching =
                one_of.iter().filter(|branch| self.violations(branch, value).is_empty()).count();
            if matching != 1 {
                problems
                    .push(format!("{at}: matches {matching} of the oneOf branches, not exactly 1"));
            }
            return;
        }
        let SchemaKind::Type(kind) = &schema.schema_kind else {
            problems.push(format!("{at}: the validator does not handle {:?}", schema.schema_kind));
            return;
        };
        match (kind, value) {
            (Type::String(string), Value::String(s)) => {
                let allowed: Vec<&str> =
                    string.enumeration.iter().flatten().map(String::as_str).collect();
                if !allowed.is_empty() && !allowed.contains(&s.as_str()) {
                    problems.push(format!("{at}: {s:?} is not one of the enum values"));
                }
            }
            (Type::Integer(_), Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            (Type::Number(_), Value::Number(_)) | (Type::Boolean(_), Value::Bool(_)) => {}
            (Type::Array(array), Value::Array(items)) => {
                if let Some(min) = array.min_items.filter(|min| items.len() < *min) {
                    problems
                        .push(format!("{at}: {} items, fewer than minItems {min}", items.len()));
                }
                if let Some(item_schema) = &array.items {
                    let item_schema = self.resolve_boxed(item_schema);
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{at}[{i}]"), problems);
                    }
                }
            }
            (Type::Object(object), Value::Object(map)) => {
                for required in &object.required {
                    if !map.contains_key(required) {
                        problems.push(format!("{at}: required property {required} is missing"));
                    }
                }
                for (name, property) in &object.properties {
                    if let Some(v) = map.get(name) {
                        self.check(
                            self.resolve_boxed(property),
                            v,
                            &format!("{at}.{name}"),
                            problems,
                        );
                    }
                }
            }
            (kind, value) => {
                problems.push(format!("{at}: {value} does not have the type {kind:?}"))
            }
        }
    }

    /// Asserts that `body`, answered with `status` to `method path`, is what the spec
    /// documents.
    pub fn assert_response(&self, method: &str, path: &str, status: u16, body: &Value) {
        let problems = self.violations(self.response_schema(method, path, status), body);
        assert!(
            problems.is_empty(),
            "{method} {path} → {status} breaks the spec: {problems:#?}\nbody: {body}"
        );
    }
}
