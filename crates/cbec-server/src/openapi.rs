//! The OpenAPI 3.0 document of the API, built from the route table
//! ([`crate::routes::table`]) and the schemas below. Served at
//! `GET /api/v1/openapi.json`.

use cbec_model::filing::{
    ApplicationKind, ApplicationState, CreditRating, EnterpriseType, LicenceKind, Role, Trade, WarehouseNature,
};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::routes::{Answer, RouteDoc, docs};

/// The request body of `POST /messages`: XML, not a JSON component.
pub const CEB_MESSAGE: &str = "CebMessage";

/// The request body of the rule set routes: a TOML rule file, not a JSON
/// component.
pub const RULE_FILE: &str = "RuleFile";

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A parameter's schema: a plain JSON type or a component.
fn param_schema(schema: &str) -> Value {
    match schema {
        "string" | "integer" | "boolean" => json!({ "type": schema }),
        other => reference(other),
    }
}

/// `{name}` parameters of a path template, in order.
pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": reference("Error") } }
    })
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "The request is not valid (request.invalid, json.invalid).",
        401 => "No bearer token, or an unknown or revoked one (auth.unauthorized).",
        403 => "The caller may not do this (auth.forbidden).",
        404 => "The record does not exist (not_found).",
        409 => "A uniqueness rule or the record's state does not allow this (conflict, state.conflict).",
        413 => "The body exceeds the configured limit (request.too_large).",
        415 => "The body is not of the documented type (request.unsupported_media_type).",
        429 => "The clearance pipeline is saturated; retry after Retry-After seconds (service.saturated).",
        422 => {
            "Refused: the filing rules (filing.refused, with diagnostics), a rule file (risk.rules_invalid, \
                with rule_errors by line and column) or a monitoring check (monitoring.invalid_field with problems, \
                monitoring.wrong_link)."
        }
        503 => "The database does not answer (service.unavailable).",
        _ => "Internal error; details are in the server log (internal).",
    }
}

fn operation(d: &RouteDoc) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(d.operation_id));
    op.insert("tags".into(), json!([d.tag]));
    op.insert("summary".into(), json!(d.summary));
    op.insert("description".into(), json!(format!("Who may call: {}.", d.access)));
    let mut params: Vec<Value> = path_params(d.path)
        .into_iter()
        .map(|p| json!({ "name": p, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    params.extend(d.query.iter().map(|q| {
        json!({ "name": q.name, "in": "query", "required": q.required, "description": q.description, "schema": param_schema(q.schema) })
    }));
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    if let Some(body) = d.body {
        let content = if body == RULE_FILE {
            let file = json!({ "schema": {
                "type": "string",
                "description": "A risk rule file (TOML): version, [rates], [[rule]] with [rule.when]; see the cbec-risk \
                                documentation. Content-Type application/toml or text/plain, UTF-8."
            } });
            json!({ "application/toml": file.clone(), "text/plain": file })
        } else if body == CEB_MESSAGE {
            json!({ "application/xml": { "schema": {
                "type": "string",
                "description": "A CEB message (CEB311, CEB411, CEB511, CEB621, CEB623, CEB625) signed with XML-DSig, \
                                or a DxpMsg envelope carrying one; UTF-8, UTF-16 or GB18030-family encodings."
            } } })
        } else {
            json!({ "application/json": { "schema": reference(body) } })
        };
        op.insert("requestBody".into(), json!({ "required": !d.body_optional, "content": content }));
    }
    let success = match d.answer {
        Answer::Text => json!({ "description": "OK", "content": { "text/plain": { "schema": { "type": "string" } } } }),
        Answer::Metrics => json!({
            "description": "Prometheus text exposition format 0.0.4",
            "content": { "text/plain; version=0.0.4": { "schema": { "type": "string" } } }
        }),
        Answer::Json(s) => {
            json!({ "description": "OK", "content": { "application/json": { "schema": reference(s) } } })
        }
        Answer::JsonList(s) => json!({
            "description": "OK",
            "content": { "application/json": { "schema": { "type": "array", "items": reference(s) } } }
        }),
        Answer::AnyJson => {
            json!({ "description": "OK", "content": { "application/json": { "schema": { "type": "object" } } } })
        }
        Answer::Empty => json!({ "description": "Done; no body" }),
        Answer::Xml => json!({
            "description": "The receipt (CEB312, CEB412, CEB512, CEB622, CEB624, CEB626 or CEB900)",
            "content": { "application/xml": { "schema": { "type": "string" } } }
        }),
        Answer::Raw => json!({
            "description": "The message bytes as received",
            "content": { "application/xml": { "schema": { "type": "string", "format": "binary" } } }
        }),
    };
    let mut responses = Map::new();
    responses.insert(d.status.to_string(), success);
    let mut errors: Vec<u16> = d.errors.to_vec();
    if d.auth {
        errors.push(401);
    }
    if d.body.is_some() {
        errors.extend([413, 415]);
    }
    errors.push(500);
    errors.sort_unstable();
    errors.dedup();
    for e in errors {
        responses.insert(e.to_string(), error_response(status_text(e)));
    }
    op.insert("responses".into(), Value::Object(responses));
    if !d.auth {
        op.insert("security".into(), json!([]));
    }
    Value::Object(op)
}

fn enumeration<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str, description: &str) -> Value {
    json!({ "type": "string", "enum": all.iter().map(|v| name(*v)).collect::<Vec<_>>(), "description": description })
}

fn millis(description: &str) -> Value {
    json!({ "type": "integer", "format": "int64", "description": format!("{description} (milliseconds since the Unix epoch, UTC)") })
}

fn nullable(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.insert("nullable".into(), json!(true));
    }
    v
}

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn schemas() -> Value {
    let principal = json!({
        "type": "object",
        "description": "Who did something.",
        "required": ["kind"],
        "properties": {
            "kind": { "type": "string", "enum": ["officer", "enterprise", "system"] },
            "id": { "type": "string" }
        }
    });
    let record = json!({
        "type": "object",
        "description": "The filed information of an enterprise. At least one of customs_code and uscc.",
        "required": ["name", "types", "trade"],
        "properties": {
            "customs_code": nullable(string("10-character customs registration code (海关注册编码).")),
            "uscc": nullable(string("18-character unified social credit code (统一社会信用代码), with a valid check character.")),
            "name": string("Registered name (企业名称)."),
            "name_en": nullable(string("English name.")),
            "address": string("Address."),
            "contact": string("Contact person."),
            "telephone": string("Telephone."),
            "customs_district": string("4-digit customs district of filing (主管海关), e.g. 1500."),
            "dxp_id": nullable(string("DXP user number, once assigned.")),
            "types": { "type": "array", "minItems": 1, "items": reference("EnterpriseType") },
            "trade": reference("Trade"),
            "b2b_export": { "type": "boolean", "description": "Declared B2B direct export (9710)." }
        }
    });
    let new_licence = json!({
        "type": "object",
        "required": ["kind", "number", "valid_from", "valid_to"],
        "properties": {
            "kind": reference("LicenceKind"),
            "number": string("Licence number."),
            "issuer": string("Issuing authority."),
            "scope": string("Business scope; a payment licence must cover internet payment (互联网支付)."),
            "valid_from": { "type": "string", "format": "date" },
            "valid_to": { "type": "string", "format": "date", "description": "Inclusive." }
        }
    });
    let warehouse = json!({
        "type": "object",
        "required": ["name", "country", "address", "area_m2", "nature"],
        "properties": {
            "name": string("Warehouse name."),
            "country": string("3-digit country code (国别代码), not 142."),
            "address": string("Full address."),
            "area_m2": string("Area in m², a decimal greater than zero."),
            "nature": reference("WarehouseNature"),
            "document": nullable(string("Title document or lease reference; required when leased.")),
            "operator": nullable(string("Who runs the warehouse."))
        }
    });
    json!({
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {
                            "type": "string",
                            "enum": ApiError::CODES.iter().map(|c| c.0).collect::<Vec<_>>(),
                            "description": ApiError::CODES.iter().map(|(c, s, m)| format!("{c} ({s}): {m}")).collect::<Vec<_>>().join("; ")
                        },
                        "message": { "type": "string" },
                        "diagnostics": { "type": "array", "items": reference("Diagnostic") },
                        "rule_errors": { "type": "array", "items": reference("RuleError"), "description": "risk.rules_invalid: every problem of the rule file." },
                        "problems": { "type": "array", "items": reference("FieldProblem"), "description": "monitoring.invalid_field: every invalid field." }
                    }
                }
            }
        },
        "Diagnostic": {
            "type": "object",
            "description": "One problem, with a stable code from docs/diagnostics.md.",
            "required": ["code", "severity", "path", "message"],
            "properties": {
                "code": string("Stable diagnostic code, e.g. filing.licence_expired."),
                "severity": { "type": "string", "enum": ["error", "warning"] },
                "path": string("The field, e.g. licences[1]/valid_to (1-based)."),
                "value": string("The offending value."),
                "message": string("What is wrong and how to fix it.")
            }
        },
        "Role": enumeration(Role::ALL, Role::as_str, "Officer role."),
        "EnterpriseType": enumeration(EnterpriseType::ALL, EnterpriseType::as_str, "CBEC enterprise type (跨境电子商务企业类型)."),
        "Trade": enumeration(Trade::ALL, Trade::as_str, "Trade direction."),
        "LicenceKind": enumeration(LicenceKind::ALL, LicenceKind::as_str, "payment: 支付业务许可证; bank: 金融许可证; express: 快递业务经营许可证."),
        "CreditRating": enumeration(CreditRating::ALL, CreditRating::as_str, "Customs credit rating (海关信用等级)."),
        "ApplicationKind": enumeration(ApplicationKind::ALL, ApplicationKind::as_str, "What an application asks for."),
        "ApplicationState": enumeration(ApplicationState::ALL, ApplicationState::as_str, "Where an application stands."),
        "WarehouseNature": enumeration(WarehouseNature::ALL, WarehouseNature::as_str, "Owned (自有) or leased (租赁)."),
        "Principal": principal,
        "Me": {
            "type": "object",
            "required": ["kind", "id"],
            "properties": {
                "kind": { "type": "string", "enum": ["officer", "enterprise"] },
                "id": { "type": "string" },
                "name": { "type": "string" },
                "role": reference("Role")
            }
        },
        "CreateOfficer": {
            "type": "object",
            "required": ["name", "role"],
            "properties": { "name": { "type": "string" }, "role": reference("Role"), "token_label": { "type": "string" } }
        },
        "Officer": {
            "type": "object",
            "required": ["id", "name", "role", "created_at"],
            "properties": { "id": { "type": "string" }, "name": { "type": "string" }, "role": reference("Role"), "created_at": millis("Created") }
        },
        "OfficerCreated": {
            "type": "object",
            "required": ["officer", "token"],
            "properties": { "officer": reference("Officer"), "token": reference("TokenCreated") }
        },
        "CreateToken": { "type": "object", "properties": { "label": { "type": "string" } } },
        "TokenCreated": {
            "type": "object",
            "description": "A new token. The secret is shown in this answer only; send it as Authorization: Bearer TOKEN.",
            "required": ["id", "token", "label", "created_at"],
            "properties": {
                "id": { "type": "string" },
                "token": string("The secret: 32 random bytes, base64url without padding."),
                "label": { "type": "string" },
                "created_at": millis("Created")
            }
        },
        "ApiToken": {
            "type": "object",
            "required": ["id", "owner", "label", "created_at"],
            "properties": {
                "id": { "type": "string" },
                "owner": reference("Principal"),
                "label": { "type": "string" },
                "created_at": millis("Created"),
                "revoked_at": nullable(millis("Revoked"))
            }
        },
        "EnterpriseRecord": record,
        "Enterprise": {
            "type": "object",
            "required": ["id", "version", "record", "credit", "filed_at", "updated_at"],
            "properties": {
                "id": { "type": "string" },
                "version": { "type": "integer", "description": "Increases by one with every approved change." },
                "record": reference("EnterpriseRecord"),
                "credit": reference("CreditRating"),
                "filed_at": millis("Filed"),
                "updated_at": millis("Last changed")
            }
        },
        "EnterpriseVersion": {
            "type": "object",
            "required": ["enterprise_id", "version", "record", "valid_from"],
            "properties": {
                "enterprise_id": { "type": "string" },
                "version": { "type": "integer" },
                "record": reference("EnterpriseRecord"),
                "valid_from": millis("In force from"),
                "application_id": nullable(json!({ "type": "string" }))
            }
        },
        "NewLicence": new_licence,
        "Licence": {
            "allOf": [
                reference("NewLicence"),
                {
                    "type": "object",
                    "required": ["id", "enterprise_id", "created_at"],
                    "properties": { "id": { "type": "string" }, "enterprise_id": { "type": "string" }, "created_at": millis("Recorded") }
                }
            ]
        },
        "Certificate": {
            "type": "object",
            "required": ["id", "enterprise_id", "serial", "subject", "issuer", "not_before", "not_after", "fingerprint", "bound_at", "pem"],
            "properties": {
                "id": { "type": "string" },
                "enterprise_id": { "type": "string" },
                "serial": string("Serial number in hex: the KeyName of the enterprise's signatures."),
                "subject": { "type": "string" },
                "issuer": { "type": "string" },
                "not_before": { "type": "string", "format": "date-time" },
                "not_after": { "type": "string", "format": "date-time" },
                "fingerprint": string("SHA-256 of the DER, hex."),
                "bound_at": millis("Bound"),
                "revoked_at": nullable(millis("Revoked")),
                "revoke_reason": nullable(json!({ "type": "string" })),
                "pem": { "type": "string" }
            }
        },
        "CreditChange": {
            "type": "object",
            "required": ["rating", "reason", "changed_by", "at"],
            "properties": { "rating": reference("CreditRating"), "reason": { "type": "string" }, "changed_by": reference("Principal"), "at": millis("Changed") }
        },
        "Credit": {
            "type": "object",
            "required": ["enterprise_id", "rating", "history"],
            "properties": {
                "enterprise_id": { "type": "string" },
                "rating": reference("CreditRating"),
                "history": { "type": "array", "items": reference("CreditChange") }
            }
        },
        "SetCredit": {
            "type": "object",
            "required": ["rating", "reason"],
            "properties": { "rating": reference("CreditRating"), "reason": { "type": "string" } }
        },
        "Warehouse": warehouse,
        "OverseasWarehouse": {
            "allOf": [
                reference("Warehouse"),
                {
                    "type": "object",
                    "required": ["id", "enterprise_id", "approved_at"],
                    "properties": {
                        "id": { "type": "string" },
                        "enterprise_id": { "type": "string" },
                        "approved_at": millis("Approved"),
                        "application_id": nullable(json!({ "type": "string" }))
                    }
                }
            ]
        },
        "Reason": { "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string", "minLength": 1 } } },
        "InitialFilingPayload": {
            "type": "object",
            "required": ["record"],
            "properties": {
                "record": reference("EnterpriseRecord"),
                "credit": reference("CreditRating"),
                "licences": { "type": "array", "items": reference("NewLicence") },
                "certificates": { "type": "array", "items": string("An RSA or SM2 X.509 certificate, PEM.") }
            }
        },
        "InfoChangePayload": {
            "type": "object",
            "required": ["record"],
            "properties": { "record": reference("EnterpriseRecord") }
        },
        "CertificateBindingPayload": {
            "type": "object",
            "required": ["certificate"],
            "properties": { "certificate": string("An RSA or SM2 X.509 certificate, PEM.") }
        },
        "LicenceUpdatePayload": {
            "type": "object",
            "required": ["licences"],
            "properties": { "licences": { "type": "array", "minItems": 1, "items": reference("NewLicence") } }
        },
        "OverseasWarehousePayload": {
            "type": "object",
            "required": ["warehouse"],
            "properties": { "warehouse": reference("Warehouse") }
        },
        "B2bExportPayload": { "type": "object", "description": "Empty: {} (or left out)." },
        "SubmitApplication": {
            "type": "object",
            "required": ["kind"],
            "properties": {
                "kind": reference("ApplicationKind"),
                "enterprise_id": string("The enterprise concerned; left out for initial_filing, optional for an enterprise applying for itself."),
                "payload": {
                    "description": "The payload of the kind: initial_filing → InitialFilingPayload, info_change → InfoChangePayload, certificate_binding → CertificateBindingPayload, licence_update → LicenceUpdatePayload, overseas_warehouse → OverseasWarehousePayload, b2b_export → B2bExportPayload.",
                    "oneOf": [
                        reference("InitialFilingPayload"),
                        reference("InfoChangePayload"),
                        reference("CertificateBindingPayload"),
                        reference("LicenceUpdatePayload"),
                        reference("OverseasWarehousePayload"),
                        reference("B2bExportPayload")
                    ]
                }
            }
        },
        "Application": {
            "type": "object",
            "required": ["id", "kind", "payload", "state", "submitted_by", "submitted_at"],
            "properties": {
                "id": { "type": "string" },
                "kind": reference("ApplicationKind"),
                "enterprise_id": nullable(string("Set for every kind once approved (an initial filing creates it).")),
                "payload": { "type": "object" },
                "state": reference("ApplicationState"),
                "submitted_by": reference("Principal"),
                "submitted_at": millis("Submitted"),
                "decided_by": nullable(reference("Principal")),
                "decided_at": nullable(millis("Decided")),
                "reason": nullable(string("Reason of a rejection or withdrawal."))
            }
        },
        "AuditEntry": {
            "type": "object",
            "required": ["seq", "at", "actor", "action", "entity", "entity_id", "prev_hash", "hash"],
            "properties": {
                "seq": { "type": "integer" },
                "at": millis("When"),
                "actor": { "type": "string" },
                "action": { "type": "string" },
                "entity": { "type": "string" },
                "entity_id": { "type": "string" },
                "before": { "nullable": true },
                "after": { "nullable": true },
                "prev_hash": { "type": "string" },
                "hash": { "type": "string" }
            }
        },
        "AuditVerification": {
            "type": "object",
            "required": ["intact", "checked"],
            "properties": {
                "intact": { "type": "boolean" },
                "checked": { "type": "integer", "description": "Entries verified good." },
                "broken_at": { "type": "integer", "description": "The first broken entry's seq." },
                "reason": { "type": "string" }
            }
        },
        "StoredMessage": {
            "type": "object",
            "required": ["id", "sender", "message_type", "received_at", "sha256"],
            "properties": {
                "id": string("The message id (also in the X-Cbec-Message-Id header of the answer)."),
                "sender": string("The sending enterprise's id."),
                "guid": nullable(string("The root guid (absent when the message could not be read).")),
                "message_type": string("CEB311Message, …, or Unknown."),
                "received_at": millis("When it was received"),
                "sha256": string("Hex SHA-256 of the bytes as received.")
            }
        },
        "Receipt": {
            "type": "object",
            "required": ["id", "seq", "message_type", "return_status", "return_info", "business_key", "issued_at", "xml"],
            "properties": {
                "id": string("Stable receipt id, for deduplication."),
                "seq": { "type": "integer", "description": "Position in issue order (a cursor)." },
                "message_type": string("CEB312Message, CEB622Message, CEB816Message, CEB900Message, …"),
                "return_status": string("The returnStatus as in the XML, e.g. \"120\", \"800\" or \"-621005\"."),
                "return_info": string("The returnInfo text."),
                "business_key": string("orderNo, payTransactionId, logisticsNo or invtNo as applicable."),
                "document_id": string("The clearance document it reports on."),
                "issued_at": millis("When it was issued"),
                "xml": string("The receipt itself (valid against the official XSD).")
            }
        },
        "ReceiptPage": {
            "type": "object",
            "required": ["receipts", "next"],
            "properties": {
                "receipts": { "type": "array", "items": reference("Receipt") },
                "next": { "type": "integer", "description": "The cursor to pass as after, and to acknowledge." }
            }
        },
        "ReceiptAck": {
            "type": "object",
            "required": ["cursor"],
            "properties": { "cursor": { "type": "integer", "description": "Everything up to this seq was received." } }
        },
        "ReceiptAcked": {
            "type": "object",
            "required": ["acked"],
            "properties": { "acked": { "type": "integer" } }
        },
        "WebhookSet": {
            "type": "object",
            "required": ["url"],
            "properties": {
                "url": string("http://host:port/path receiving a JSON POST per receipt."),
                "secret": string("At least 16 characters; generated when absent. Signs each POST: X-Cbec-Signature: sha256=<hex HMAC-SHA256 of the body>.")
            }
        },
        "Webhook": {
            "type": "object",
            "required": ["url", "created_at"],
            "properties": {
                "url": { "type": "string" },
                "created_at": millis("When it was set"),
                "secret": string("Only in the answer that set it.")
            }
        },
        "Redeliver": {
            "type": "object",
            "properties": { "after": { "type": "integer", "description": "Push every receipt after this cursor again (default 0)." } }
        },
        "Redelivered": {
            "type": "object",
            "required": ["queued"],
            "properties": { "queued": { "type": "integer" } }
        },
        "Delivery": {
            "type": "object",
            "required": ["seq", "receipt_id", "state", "attempts", "next_at"],
            "properties": {
                "seq": { "type": "integer" },
                "receipt_id": { "type": "string" },
                "state": { "type": "string", "enum": ["pending", "delivered", "dead"] },
                "attempts": { "type": "integer" },
                "next_at": millis("The next attempt"),
                "last_error": nullable(string("Why the last attempt failed.")),
                "delivered_at": nullable(millis("When it was delivered"))
            }
        },
        "DocumentKind": {
            "type": "string",
            "enum": cbec_clearance::Kind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>()
        },
        "DocumentStatus": {
            "type": "string",
            "enum": cbec_clearance::Status::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
            "description": "The status; status_code gives its returnStatus code."
        },
        "Document": {
            "type": "object",
            "required": ["id", "kind", "status", "status_code", "sender", "business_key", "created_at", "updated_at"],
            "properties": {
                "id": { "type": "string" },
                "kind": reference("DocumentKind"),
                "status": reference("DocumentStatus"),
                "status_code": string("The receipt code of the status (\"800\"), or cancelled."),
                "sender": string("The sending enterprise's code."),
                "business_key": { "type": "string" },
                "deadline": millis("When a waiting document is due"),
                "created_at": millis("Received"),
                "updated_at": millis("Last changed"),
                "message_id": string("The message that brought it.")
            }
        },
        "DocumentMove": {
            "type": "object",
            "required": ["seq", "doc_id", "to", "reason", "actor", "at"],
            "properties": {
                "seq": { "type": "integer" },
                "doc_id": { "type": "string" },
                "from": nullable(string("The status before (absent for the first).")),
                "to": { "type": "string" },
                "event": nullable(string("matched, refused, auto_release, review, inspect, release, detain, …")),
                "reason": { "type": "string" },
                "actor": string("Principal, e.g. officer:…, enterprise:…, system:clearance-deadline."),
                "at": millis("When")
            }
        },
        "DocumentDetail": {
            "allOf": [reference("Document"), {
                "type": "object",
                "required": ["facts", "flags", "moves", "receipts"],
                "properties": {
                    "facts": { "type": "object", "description": "What clearance compares: keys, amounts, parties, items." },
                    "route": { "type": "string", "nullable": true, "enum": ["local", "transfer", "integrated"], "description": "Export lists, once arrived." },
                    "flags": { "type": "array", "items": { "type": "string" }, "description": "Notes for officers: transfer open, transfer overdue, summarised S…, sandbox: …" },
                    "risk": reference("RiskDecision"),
                    "basis": {
                        "type": "object",
                        "description": "Lists: the reference data versions the goods were checked against, and the risk rule set.",
                        "properties": {
                            "tariff": { "type": "string" }, "positive_list": { "type": "string" },
                            "prohibited": { "type": "string" }, "rules": { "type": "string" }
                        }
                    },
                    "moves": { "type": "array", "items": reference("DocumentMove") },
                    "receipts": { "type": "array", "items": reference("Receipt") }
                }
            }]
        },
        "DocumentAction": {
            "type": "object",
            "required": ["action", "reason"],
            "properties": {
                "action": { "type": "string", "enum": ["review", "inspect", "inspection_passed", "release", "detain", "return_goods", "reject", "close", "goods_returned"] },
                "reason": string("Recorded with the move and sent in the receipt."),
                "code": { "type": "integer", "enum": [501, 502, 503, 599], "description": "For detain." }
            }
        },
        "DeclarationForm": {
            "type": "object",
            "required": ["entry_id", "trade_mode", "customs_code", "ebc_code", "ebp_code", "attachments"],
            "properties": {
                "entry_id": string("The declaration number (18 letters or digits)."),
                "trade_mode": { "type": "string", "enum": ["9710", "9810"] },
                "customs_code": string("The customs of declaration."),
                "ebc_code": string("The e-commerce enterprise that declared it."),
                "ebp_code": string("The platform of the order or booking."),
                "attachments": {
                    "type": "array",
                    "description": "Attached documents; exactly one of type 10000004 (跨境B2B出口单证) whose number is the order or booking number.",
                    "items": {
                        "type": "object",
                        "required": ["type", "number"],
                        "properties": { "type": string("Attached-document type, e.g. 10000004."), "number": string("Its number.") }
                    }
                }
            }
        },
        "DocumentActed": {
            "type": "object",
            "required": ["document", "receipts"],
            "properties": {
                "document": reference("Document"),
                "receipts": { "type": "array", "items": reference("Receipt") }
            }
        }
    })
}

/// The schemas of risk rule sets and monitoring records.
fn risk_schemas() -> Value {
    let any = |d: &str| json!({ "type": "object", "description": d });
    let scope = json!({
        "type": "object",
        "description": "The goods concerned: every field given must hold (at least one). Text ignores case.",
        "properties": {
            "hs_prefix": string("HS code or prefix, 2 to 10 digits."),
            "product": string("A word or phrase of the goods name."),
            "brand": string("A word or phrase of the brand/model (gmodel)."),
            "enterprise": string("An enterprise code among the list's parties."),
            "origin_country": string("3-digit origin country code.")
        }
    });
    let severity = json!({ "type": "string", "enum": ["low", "medium", "high", "critical"] });
    let measure = json!({ "type": "string", "enum": ["hold_for_inspection", "full_inspection", "refuse_entry"],
        "description": "hold_for_inspection and full_inspection send a matching list to inspection (red); refuse_entry rejects it." });
    let version = json!({ "type": "integer", "description": "The version of the record read (optimistic concurrency): 409 monitoring.stale_version if it changed." });
    let text = |d: &str| string(d);
    json!({
        "RuleError": {
            "type": "object",
            "required": ["line", "column", "reason"],
            "properties": {
                "line": { "type": "integer", "description": "1-based line." },
                "column": { "type": "integer", "description": "1-based column, in characters." },
                "reason": string("What is wrong, naming the key, and the fix.")
            }
        },
        "FieldProblem": {
            "type": "object",
            "required": ["field", "problem", "fix"],
            "properties": { "field": string("e.g. scope.hs_prefix"), "problem": { "type": "string" }, "fix": { "type": "string" } }
        },
        "RuleSet": {
            "type": "object",
            "required": ["id", "version", "sha256", "rules", "status", "uploaded_by", "uploaded_at"],
            "properties": {
                "id": { "type": "string" },
                "version": string("The file's own version, unique."),
                "sha256": string("Hex SHA-256 of the file as uploaded."),
                "rules": { "type": "integer", "description": "Rules in the file." },
                "status": { "type": "string", "enum": ["draft", "active", "retired", "rejected"] },
                "uploaded_by": string("Principal, e.g. officer:…"),
                "uploaded_at": millis("Uploaded"),
                "decided_by": nullable(string("Who approved or rejected it.")),
                "decided_at": nullable(millis("Decided")),
                "note": nullable(string("The decider's note."))
            }
        },
        "RuleSetDetail": {
            "allOf": [reference("RuleSet"), {
                "type": "object",
                "required": ["content"],
                "properties": {
                    "content": string("The file as uploaded."),
                    "parsed": any("The file as the engine reads it: {version, rates, rules: [{id, description, lane, rate, when, line}]}."),
                    "expected_rates": any("Expected shares {red, yellow, green} of random selection for lists no rule or warning selected, by seller credit rating (advanced, general_certified, general, dishonest, unrated)."),
                    "rule_errors": { "type": "array", "items": reference("RuleError") }
                }
            }]
        },
        "RuleSetDecision": {
            "type": "object",
            "required": ["approve"],
            "properties": { "approve": { "type": "boolean" }, "note": string("Why; required to reject.") }
        },
        "RiskActive": {
            "type": "object",
            "required": ["version", "warnings_in_force", "seed"],
            "properties": {
                "version": string("The version of the rule set in force, or none."),
                "rule_set": nullable(reference("RuleSet")),
                "warnings_in_force": { "type": "integer" },
                "seed": { "type": "integer", "format": "int64", "description": "The seed of the random draws." }
            }
        },
        "Lane": { "type": "string", "enum": ["green", "yellow", "red", "hold"] },
        "LaneCounts": {
            "type": "object",
            "properties": {
                "green": { "type": "integer" }, "yellow": { "type": "integer" }, "red": { "type": "integer" },
                "hold": { "type": "integer" }, "refused": { "type": "integer" }
            }
        },
        "DryRun": {
            "type": "object",
            "required": ["candidate_version", "seed", "subjects", "rules", "candidate_lanes", "changed", "changes"],
            "properties": {
                "candidate_version": { "type": "string" },
                "active_version": nullable(string("The rule set in force it is compared with.")),
                "seed": { "type": "integer", "format": "int64" },
                "subjects": { "type": "integer", "description": "Lists evaluated." },
                "rules": {
                    "type": "array",
                    "description": "Per candidate rule, in file order: the lists it fired on.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "rule_id": { "type": "string" }, "description": { "type": "string" }, "lane": reference("Lane"),
                            "hits": { "type": "integer" },
                            "examples": { "type": "array", "items": { "type": "object", "properties": {
                                "key": string("The list's document id."), "reason": string("What matched.") } } }
                        }
                    }
                },
                "candidate_lanes": reference("LaneCounts"),
                "active_lanes": nullable(reference("LaneCounts")),
                "changed": { "type": "integer", "description": "Lists whose lane differs from the active rule set's." },
                "changes": { "type": "array", "items": { "type": "object", "properties": {
                    "key": { "type": "string" }, "from": reference("Lane"), "to": reference("Lane") } } }
            }
        },
        "RiskDecision": {
            "type": "object",
            "description": "Lists, to officers only: the risk engine's decision, reproducible from the rule set version, the warnings, the list and the seed.",
            "properties": {
                "lane": reference("Lane"),
                "refused": { "type": "boolean", "description": "A warning refused entry." },
                "fired": { "type": "array", "items": any("A rule that fired: {rule_id, lane, reason}.") },
                "warnings": { "type": "array", "items": any("A warning that matched: {warning_id, measure, severity, item, reason}.") },
                "random": nullable(any("The random draw, when it decided: {value, rate, lane, red_rate, yellow_rate}.")),
                "rules_version": { "type": "string" },
                "seed": { "type": "integer", "format": "int64" }
            }
        },
        "MonitoringKind": {
            "type": "string",
            "enum": ["sampling_plan", "test_result", "warning", "reduction_order", "rectification_order", "credit_proposal"]
        },
        "MonitoringRecord": {
            "type": "object",
            "required": ["id", "kind", "state", "status", "version", "created_at", "updated_at", "record"],
            "properties": {
                "id": { "type": "string" },
                "kind": reference("MonitoringKind"),
                "enterprise": nullable(string("The enterprise code it concerns or is addressed to.")),
                "state": string("The stored state."),
                "status": string("The state now: derived states included (pending, expired, overdue, scheduled, ended)."),
                "version": { "type": "integer", "description": "Pass as expected_version with a command." },
                "created_at": millis("Created"),
                "updated_at": millis("Last changed"),
                "record": any("The record as cbec-monitoring defines it (SamplingPlan, TestResult, WarningRecord, ReductionOrder, RectificationOrder, CreditProposal).")
            }
        },
        "Scope": scope,
        "NewSamplingPlan": {
            "type": "object",
            "required": ["scope", "sampling", "starts_at", "reason"],
            "properties": {
                "scope": reference("Scope"),
                "sampling": any("{\"kind\": \"rate\", \"per_mille\": 1..1000} or {\"kind\": \"count\", \"count\": n, \"period\": day|week|month|quarter|year}."),
                "starts_at": millis("Runs from"),
                "ends_at": nullable(millis("Runs until (exclusive)")),
                "reason": text("Why these goods are sampled.")
            }
        },
        "NewTestResult": {
            "type": "object",
            "required": ["product", "lab", "sampled_at", "tested_at", "outcome"],
            "properties": {
                "plan_id": nullable(string("The sampling plan the sample was taken under.")),
                "product": {
                    "type": "object",
                    "required": ["hs_code", "name", "enterprise", "batch"],
                    "properties": {
                        "hs_code": string("10-digit HS code."), "name": { "type": "string" },
                        "brand": nullable(json!({ "type": "string" })), "item_no": nullable(json!({ "type": "string" })),
                        "enterprise": string("The answerable enterprise's code."), "batch": { "type": "string" },
                        "origin_country": nullable(string("3-digit country code."))
                    }
                },
                "lab": { "type": "string" },
                "sampled_at": millis("Sampled"),
                "tested_at": millis("Tested"),
                "outcome": any("{\"verdict\": \"pass\"} or {\"verdict\": \"fail\", \"findings\": [text], \"hazard\": microbial|heavy_metal|pesticide|additive|chemical|physical|labelling|{\"other\": name}}.")
            }
        },
        "NewWarning": {
            "type": "object",
            "description": "Either from_result (a failed test result) with severity and optional measure (default by severity: critical refuse_entry, high full_inspection, else hold_for_inspection), valid_for_ms (default 90 days) and scope (default: the result's HS code, brand, enterprise and origin); or finding.",
            "properties": {
                "from_result": string("A failed, not withdrawn, test result's id."),
                "severity": severity.clone(),
                "measure": measure.clone(),
                "valid_for_ms": { "type": "integer", "format": "int64", "description": "Validity from now, ms." },
                "scope": reference("Scope"),
                "finding": {
                    "type": "object",
                    "required": ["scope", "severity", "measure", "valid_until", "finding"],
                    "properties": {
                        "scope": reference("Scope"), "severity": severity, "measure": measure,
                        "valid_until": millis("Valid until (exclusive)"), "finding": text("What was found.")
                    }
                }
            }
        },
        "NewReductionOrder": {
            "type": "object",
            "required": ["enterprise", "action", "goods", "deadline"],
            "properties": {
                "enterprise": string("The addressee's code (customs code or USCC)."),
                "action": { "type": "string", "enum": ["stop_sale", "recall", "return", "destroy"] },
                "goods": text("The goods concerned (names, batches, quantities)."),
                "scope": nullable(reference("Scope")),
                "warning_id": nullable(json!({ "type": "string" })),
                "result_id": nullable(json!({ "type": "string" })),
                "deadline": millis("Respond by")
            }
        },
        "NewRectificationOrder": {
            "type": "object",
            "required": ["enterprise", "violation", "description", "documents", "deadline"],
            "properties": {
                "enterprise": string("The addressee's code."),
                "violation": any("smuggling, false_declaration, identity_misuse, or {\"other\": name}."),
                "description": text("The violation and what must be rectified."),
                "documents": { "type": "array", "items": { "type": "string" } },
                "deadline": millis("Respond by")
            }
        },
        "NewCreditProposal": {
            "type": "object",
            "required": ["enterprise", "from", "to", "reason", "rectification_id"],
            "properties": {
                "enterprise": string("The enterprise's code (that of the rectification order)."),
                "from": reference("CreditRating"),
                "to": reference("CreditRating"),
                "reason": { "type": "string" },
                "rectification_id": string("An upheld rectification order.")
            }
        },
        "PlanCommand": {
            "type": "object", "required": ["expected_version", "command"],
            "description": "{command: amend, sampling, reason} or {command: close, reason}.",
            "properties": { "expected_version": version.clone(), "command": { "type": "string", "enum": ["amend", "close"] } }
        },
        "ResultCommand": {
            "type": "object", "required": ["expected_version", "command"],
            "description": "{command: withdraw, reason}.",
            "properties": { "expected_version": version.clone(), "command": { "type": "string", "enum": ["withdraw"] } }
        },
        "WarningCommand": {
            "type": "object", "required": ["expected_version", "command"],
            "description": "{command: lift, reason} or {command: extend, until (ms)}.",
            "properties": { "expected_version": version.clone(), "command": { "type": "string", "enum": ["lift", "extend"] } }
        },
        "ReductionCommand": {
            "type": "object", "required": ["expected_version", "command"],
            "description": "{command: respond, text, evidence: [ref]} (the enterprise); {command: reject, reason, deadline}; {command: close, note}; {command: withdraw, reason}.",
            "properties": { "expected_version": version.clone(), "command": { "type": "string", "enum": ["respond", "reject", "close", "withdraw"] } }
        },
        "RectificationCommand": {
            "type": "object", "required": ["expected_version", "command"],
            "description": "{command: respond, text, evidence} (the enterprise); {command: follow_up, note}; {command: reopen, reason, deadline}; {command: verify, upheld, note}; {command: withdraw, reason}.",
            "properties": { "expected_version": version.clone(), "command": { "type": "string", "enum": ["respond", "follow_up", "reopen", "verify", "withdraw"] } }
        },
        "ProposalCommand": {
            "type": "object", "required": ["expected_version", "command", "approve"],
            "description": "{command: decide, approve, note} (note required to reject).",
            "properties": {
                "expected_version": version, "command": { "type": "string", "enum": ["decide"] },
                "approve": { "type": "boolean" }, "note": { "type": "string" }
            }
        },
        "DueOrder": {
            "type": "object",
            "properties": {
                "kind": { "type": "string", "enum": ["reduction", "rectification"] },
                "id": { "type": "string" }, "version": { "type": "integer" }, "enterprise": { "type": "string" },
                "deadline": millis("Was due"), "overdue_ms": { "type": "integer", "format": "int64" }
            }
        },
        "EnterpriseOrders": {
            "type": "object",
            "required": ["enterprise_id", "codes", "orders", "violations"],
            "properties": {
                "enterprise_id": { "type": "string" },
                "codes": { "type": "array", "items": { "type": "string" } },
                "orders": {
                    "type": "array",
                    "description": "Those waiting for the enterprise first (earliest deadline first), then the others, newest first.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "kind": { "type": "string", "enum": ["reduction", "rectification"] },
                            "id": { "type": "string" }, "version": { "type": "integer" },
                            "status": { "type": "string", "enum": ["issued", "overdue", "responded", "closed", "withdrawn"] },
                            "subject": string("The action (stop_sale, …) or the violation (smuggling, …)."),
                            "description": { "type": "string" },
                            "documents": { "type": "array", "items": { "type": "string" } },
                            "issued_at": millis("Issued"), "deadline": millis("Respond by"),
                            "response": nullable(any("The latest response: {text, evidence, at, by}.")),
                            "rejected_because": nullable(json!({ "type": "string" })),
                            "upheld": nullable(json!({ "type": "boolean" }))
                        }
                    }
                },
                "violations": { "type": "integer", "description": "Upheld violations on its record." }
            }
        }
    })
}

/// The document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for d in docs() {
        let item = paths.entry(d.path.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(d.verb.as_str().to_ascii_lowercase(), operation(&d));
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "cbec filing API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The customs side of cross-border e-commerce supervision: enterprise filing (备案), information changes, certificate bindings, licences, overseas warehouses, B2B export, credit ratings, clearance, risk rule sets, quality and safety monitoring and the audit log. Authenticate with Authorization: Bearer TOKEN. Errors are {\"error\": {\"code\", \"message\", \"diagnostics\"?}}. Times are milliseconds since the Unix epoch unless a field says otherwise."
        },
        "servers": [{ "url": "/" }],
        "tags": [
            { "name": "operations" }, { "name": "auth" }, { "name": "officers" }, { "name": "tokens" },
            { "name": "applications" }, { "name": "enterprises" }, { "name": "clearance" }, { "name": "receipts" },
            { "name": "risk" }, { "name": "monitoring" }, { "name": "audit" }
        ],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "An API token (43 characters)." } },
            "schemas": all_schemas()
        }
    })
}

fn all_schemas() -> Value {
    let mut all = schemas();
    if let (Value::Object(all), Value::Object(more)) = (&mut all, risk_schemas()) {
        all.extend(more);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 50);
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
            assert!(doc["components"]["schemas"].get(name).is_some(), "unresolved {r}");
        }
    }

    #[test]
    fn operation_ids_are_unique_and_path_params_declared() {
        let doc = document();
        let mut ids = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (_, op) in item.as_object().into_iter().flatten() {
                assert!(ids.insert(op["operationId"].as_str().unwrap_or_default().to_owned()));
                let declared: Vec<&str> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                assert_eq!(declared, path_params(path), "{path}");
            }
        }
    }
}
