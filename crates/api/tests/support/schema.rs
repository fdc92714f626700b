//! A small JSON Schema checker for the OpenAPI document's response schemas: types,
//! enums, required properties, and no property the document does not declare.

use serde_json::Value;

pub fn check(doc: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        if target.is_null() {
            errors.push(format!("{path}: unknown schema {reference}"));
        } else {
            check(doc, target, value, path, errors);
        }
        return;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let fits = branches.iter().any(|branch| {
                let mut branch_errors = Vec::new();
                check(doc, branch, value, path, &mut branch_errors);
                branch_errors.is_empty()
            });
            if !fits {
                errors.push(format!("{path}: {value} fits none of {key}"));
            }
            return;
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            check(doc, part, value, path, errors);
        }
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            errors.push(format!("{path}: {value} is not one of {allowed:?}"));
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
        errors.push(format!("{path}: {value} is not of type {types:?}"));
        return;
    }
    match value {
        Value::Object(map)
            if schema.get("properties").is_some() || schema.get("required").is_some() =>
        {
            let properties = schema.get("properties").and_then(Value::as_object);
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = required.as_str() {
                    if !map.contains_key(name) {
                        errors.push(format!("{path}: required property {name} is missing"));
                    }
                }
            }
            for (name, item) in map {
                match properties.and_then(|p| p.get(name)) {
                    Some(property) => check(doc, property, item, &format!("{path}.{name}"), errors),
                    None => errors.push(format!("{path}: property {name} is not documented")),
                }
            }
        }
        Value::Object(map) => {
            if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
                for (name, item) in map {
                    check(doc, values, item, &format!("{path}.{name}"), errors);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    check(doc, item_schema, item, &format!("{path}[{index}]"), errors);
                }
            }
        }
        _ => {}
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}
