//! `/search?q=`: one business key to the documents and enterprises it
//! names. Exact matches through indexes only, each bounded:
//!
//! - an enterprise by customs code or USCC (unique indexes) and the latest
//!   documents naming it (the party index, newest first);
//! - enterprises whose name starts with `q` (the name index);
//! - documents whose business key is `q` (orderNo, logisticsNo,
//!   payTransactionId, invtNo, copNo of a list not yet numbered: the
//!   business key index);
//! - documents by key (the key index): `invt|q` (invtNo), `buyer|Q` (a
//!   buyer's identity number, upper-cased) and `cop|q` (copNo), then the
//!   documents linked to what was found (sharing its keys: a list's order,
//!   payment and waybill).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use cbec_store::{DocFilter, DocRow};

use super::escape;
use super::officer::{officer_ctx, param};
use crate::AppState;

/// The most documents of each kind of match.
const LIMIT: u32 = 50;
/// The documents whose links are followed.
const FOLLOWED: usize = 10;

/// `GET /search?q=`.
pub(crate) async fn search(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = officer_ctx!(state, headers, uri, query);
    let q = param(&query, "q").unwrap_or_default().to_string();
    let mut body = format!(
        "<form method=\"get\" action=\"/search\" role=\"search\" class=\"search\">\
         <label for=\"q\">{}</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" autofocus>\
         <button type=\"submit\" id=\"search\">{}</button></form>\n<p class=\"muted\">{}</p>\n",
        ctx.t("search_label"),
        escape(&q),
        ctx.t("search"),
        ctx.t("search_hint"),
    );
    if q.is_empty() {
        return ctx.ok("/search", ctx.t("nav_search"), &body);
    }
    if q.chars().count() > 100 {
        return ctx.api_error("/search", crate::ApiError::bad_request("the search text is longer than 100 characters"));
    }
    let store = &ctx.state.store;
    let found = async {
        let by_code = store.enterprise_by_code(&q).await?;
        let named = store.enterprises_named(&q, 20).await?;
        let mut docs: Vec<DocRow> =
            store.documents(DocFilter { business_key: Some(q.clone()), limit: LIMIT, ..DocFilter::default() }).await?;
        let keys = vec![format!("invt|{q}"), format!("buyer|{}", q.to_uppercase()), format!("cop|{q}")];
        for d in store.documents_by_keys(&keys, LIMIT).await? {
            if !docs.iter().any(|x| x.id == d.id) {
                docs.push(d);
            }
        }
        // What the matches link to (a list's order, payment and waybill).
        let mut linked: Vec<DocRow> = Vec::new();
        let link_keys: Vec<String> = docs
            .iter()
            .take(FOLLOWED)
            .flat_map(|d| d.keys.iter().filter(|k| !k.starts_with("buyer|")).cloned())
            .collect();
        if !link_keys.is_empty() {
            for d in store.documents_by_keys(&link_keys, LIMIT).await? {
                if !docs.iter().any(|x| x.id == d.id) && !linked.iter().any(|x| x.id == d.id) {
                    linked.push(d);
                }
            }
        }
        let naming = match &by_code {
            Some(e) => {
                let codes: Vec<String> =
                    [e.record.customs_code.clone(), e.record.uscc.clone()].into_iter().flatten().collect();
                store.recent_documents_for(&codes, None, None, 20).await?
            }
            None => Vec::new(),
        };
        Ok::<_, cbec_store::StoreError>((by_code, named, docs, linked, naming))
    }
    .await;
    let (by_code, mut named, docs, linked, naming) = match found {
        Ok(x) => x,
        Err(e) => return ctx.store_error("/search", e),
    };
    if let Some(e) = &by_code {
        named.retain(|n| n.id != e.id);
        named.insert(0, e.clone());
    }
    body.push_str(&format!("<section aria-labelledby=\"h-ent\"><h2 id=\"h-ent\">{}</h2>", ctx.t("nav_enterprises")));
    if named.is_empty() {
        body.push_str(&format!("<p class=\"muted\" id=\"enterprises-empty\">{}</p>", ctx.t("none")));
    } else {
        body.push_str("<ul id=\"enterprise-results\">");
        for e in &named {
            body.push_str(&format!(
                "<li><a href=\"/enterprises/{}\">{}</a> <code>{}</code> <code>{}</code></li>",
                super::officer::url_encode(&e.id),
                escape(&e.record.name),
                escape(e.record.customs_code.as_deref().unwrap_or_default()),
                escape(e.record.uscc.as_deref().unwrap_or_default()),
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str("</section>\n");
    body.push_str(&format!("<section aria-labelledby=\"h-docs\"><h2 id=\"h-docs\">{}</h2>", ctx.t("documents_found")));
    body.push_str(&super::queues::doc_table(&ctx, "document-results", &docs));
    body.push_str("</section>\n");
    if !linked.is_empty() {
        body.push_str(&format!(
            "<section aria-labelledby=\"h-linked\"><h2 id=\"h-linked\">{}</h2>",
            ctx.t("documents_linked")
        ));
        body.push_str(&super::queues::doc_table(&ctx, "linked-results", &linked));
        body.push_str("</section>\n");
    }
    if by_code.is_some() {
        body.push_str(&format!(
            "<section aria-labelledby=\"h-naming\"><h2 id=\"h-naming\">{}</h2>",
            ctx.t("documents_naming")
        ));
        body.push_str(&super::queues::doc_table(&ctx, "naming-results", &naming));
        body.push_str("</section>\n");
    }
    ctx.ok("/search", ctx.t("nav_search"), &body)
}
