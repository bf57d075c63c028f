//! The OpenAPI description, generated from the handlers' annotations and the response types'
//! derives (so it cannot drift from the code), and `/api/docs`, a page rendering it without any
//! external script (the server works offline).

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup, DOCTYPE};
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhengsou (政搜) API",
        description = "Search Chinese government policy documents and work bulletins. Every \
                       error is a 4xx/5xx with `{\"error\":{\"code\",\"message\"}}`. The read-only \
                       routes allow cross-origin GET (see `--cors-origin`). To embed a search box \
                       in any page: `<script src=\"https://SERVER/widget.js\" \
                       data-endpoint=\"https://SERVER\"></script>`; options: `data-target` (a CSS \
                       selector to put the box in), `data-placeholder`, `data-size` (results \
                       shown), `data-region`, `data-category`, `data-kind` (fixed filters)."
    ),
    paths(
        super::health,
        super::search,
        super::suggest,
        super::similar,
        super::document,
        super::raw,
        super::reindex,
        super::admin_stats
    ),
    components(schemas(super::ErrorBody, super::Health)),
    modifiers(&AdminKey),
    tags(
        (name = "search", description = "Search, documents and original files"),
        (name = "service", description = "Health"),
        (name = "admin", description = "Needs `Authorization: Bearer <key>`; off unless the server has --admin-key")
    )
)]
pub struct ApiDoc;

struct AdminKey;

impl Modify for AdminKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "admin_key",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The OpenAPI document as JSON.
pub fn spec() -> Value {
    let mut v = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    v["info"]["version"] = Value::String(env!("CARGO_PKG_VERSION").into());
    v
}

pub async fn json() -> Response {
    Json(spec()).into_response()
}

/// `/api/docs`: every route, parameter, response and schema of the spec, as one page.
pub async fn docs() -> Response {
    let mut r = render(&spec()).into_response();
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; style-src 'self' 'unsafe-inline'"),
    );
    r
}

fn type_of(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(all) = s
        .get("oneOf")
        .or_else(|| s.get("allOf"))
        .or_else(|| s.get("anyOf"))
        .and_then(Value::as_array)
    {
        let parts: Vec<String> = all.iter().map(type_of).collect();
        return parts.join(" | ");
    }
    let t = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".into(),
    };
    if t.starts_with("array") {
        if let Some(items) = s.get("items") {
            return t.replacen("array", &format!("[{}]", type_of(items)), 1);
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        let vals: Vec<String> = e.iter().map(|v| v.to_string()).collect();
        return format!("{t}: {}", vals.join(", "));
    }
    t
}

/// Markdown's `code` spans as <code>, the rest as escaped text.
fn code_spans(s: &str) -> Markup {
    html! {
        @for (i, part) in s.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn render(spec: &Value) -> Markup {
    let empty = serde_json::Map::new();
    let paths = spec["paths"].as_object().unwrap_or(&empty);
    let schemas = spec["components"]["schemas"].as_object().unwrap_or(&empty);
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "接口文档 - 政搜" }
                link rel="stylesheet" href="/static/app.css";
            }
            body.docs {
                header.top { a.brand href="/" { "政搜" } span { "接口文档 · " a href="/api/openapi.json" { "openapi.json" } } }
                main {
                    h1 { (text(&spec["info"], "title")) " " small { (text(&spec["info"], "version")) } }
                    p { (code_spans(&text(&spec["info"], "description"))) }
                    @for (path, item) in paths {
                        @for (method, op) in item.as_object().unwrap_or(&empty) {
                            section.op id=(format!("op-{}", text(op, "operationId"))) {
                                h2 { code { (method.to_uppercase()) " " (path) } }
                                p { (code_spans(&text(op, "summary"))) }
                                @if !text(op, "description").is_empty() { p { (code_spans(&text(op, "description"))) } }
                                @if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                                    table {
                                        thead { tr { th { "参数" } th { "位置" } th { "类型" } th { "说明" } } }
                                        tbody {
                                            @for p in params {
                                                tr {
                                                    td { code { (text(p, "name")) } @if p["required"] == Value::Bool(true) { " *" } }
                                                    td { (text(p, "in")) }
                                                    td { (type_of(&p["schema"])) }
                                                    td { (code_spans(&text(p, "description"))) }
                                                }
                                            }
                                        }
                                    }
                                }
                                ul {
                                    @for (code, resp) in op["responses"].as_object().unwrap_or(&empty) {
                                        li {
                                            code { (code) } " " (text(resp, "description"))
                                            @if let Some(s) = resp.pointer("/content/application~1json/schema") { " → " (type_of(s)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    h2 { "数据结构" }
                    @for (name, s) in schemas {
                        section.schema id=(format!("schema-{name}")) {
                            h3 { (name) }
                            @if !text(s, "description").is_empty() { p { (text(s, "description")) } }
                            @if let Some(props) = s.get("properties").and_then(Value::as_object) {
                                table {
                                    thead { tr { th { "字段" } th { "类型" } th { "说明" } } }
                                    tbody {
                                        @for (f, fs) in props {
                                            tr {
                                                td { code { (f) } }
                                                td { (type_of(fs)) }
                                                td { (code_spans(&text(fs, "description"))) }
                                            }
                                        }
                                    }
                                }
                            } @else {
                                p { (type_of(s)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spec_names_every_route_and_the_hit_fields() {
        let s = super::spec();
        for p in [
            "/api/health",
            "/api/search",
            "/api/documents/{doc_id}",
            "/api/documents/{doc_id}/raw",
            "/api/admin/reindex",
            "/api/admin/stats",
            "/api/suggest",
            "/api/articles/{id}/similar",
        ] {
            assert!(s["paths"].get(p).is_some(), "{p} missing");
        }
        let params: Vec<&str> = s["paths"]["/api/search"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for p in [
            "q", "region", "year", "category", "kind", "from", "size", "facets",
        ] {
            assert!(params.contains(&p), "{p} not in {params:?}");
        }
        let hm = &s["components"]["schemas"]["HitMeta"]["properties"];
        for f in ["id", "doc_id", "title", "locality", "region", "categories"] {
            assert!(hm.get(f).is_some(), "HitMeta.{f} missing");
        }
        assert!(s["components"]["schemas"]["Document"]["properties"]
            .get("region_id")
            .is_none());
    }
}
