//! Diagnostics: one problem found in a message, with a stable code, a path
//! naming the field, the offending value and an explanation.
//!
//! Every code lives in the [`Code`] registry below. Codes are stable: they are
//! part of cbec's interface (integrators match on them), so a code is never
//! renamed or reused once released. Add new ones at the end of their group.

use serde::{Deserialize, Serialize};

/// How bad a diagnostic is. Only errors make a message invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident, $title:literal; )*) => {
        /// The registry of stable diagnostic codes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every registered code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable textual code, e.g. `schema.missing_element`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The default severity of diagnostics with this code.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// A one-line English title of the problem class.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// Looks a code up by its textual form.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($code => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // --- XML well-formedness and hardening (the document could not be read) ---
    XmlMalformed = "xml.malformed", Error, "The document is not well-formed XML";
    XmlEncoding = "xml.encoding", Error, "The declared or detected character encoding is unsupported or the bytes do not match it";
    XmlDtdForbidden = "xml.dtd_forbidden", Error, "Document type declarations (DTD) and entity declarations are not accepted";
    XmlEntityUndefined = "xml.entity_undefined", Error, "An entity reference other than the five predefined XML entities was used";
    XmlTooLarge = "xml.too_large", Error, "The message exceeds the configured size limit";
    XmlTooDeep = "xml.too_deep", Error, "Elements are nested deeper than the configured limit";
    XmlTooManyNodes = "xml.too_many_nodes", Error, "The message has more elements or attributes than the configured limit";
    XmlNamespaceUndeclared = "xml.namespace_undeclared", Error, "A namespace prefix is used but not declared";
    JsonInvalid = "json.invalid", Error, "The JSON form of the message could not be read";

    // --- Schema (what the official XSD checks) ---
    SchemaUnknownRoot = "schema.unknown_root", Error, "The root element is not a CEB or DXP message of the 2022 schema";
    SchemaMissingElement = "schema.missing_element", Error, "A required element is missing";
    SchemaUnexpectedElement = "schema.unexpected_element", Error, "An element is not allowed here (unknown, out of order, or repeated too often)";
    SchemaTooManyOccurrences = "schema.too_many", Error, "An element occurs more often than the schema allows";
    SchemaMissingAttribute = "schema.missing_attribute", Error, "A required attribute is missing";
    SchemaUnexpectedAttribute = "schema.unexpected_attribute", Error, "An attribute is not allowed on this element";
    SchemaUnexpectedText = "schema.unexpected_text", Error, "Text content is not allowed in an element that only contains elements";
    SchemaLength = "schema.length", Error, "The value's length is not the length the schema requires";
    SchemaNotDecimal = "schema.not_decimal", Error, "The value is not a decimal number";
    SchemaNotInteger = "schema.not_integer", Error, "The value is not an integer in range";
    SchemaTotalDigits = "schema.total_digits", Error, "The number has more digits than the schema allows";
    SchemaFractionDigits = "schema.fraction_digits", Error, "The number has more fraction digits than the schema allows";
    SchemaNotDate = "schema.not_date", Error, "The value is not an XML Schema date or dateTime";
    SchemaNotBase64 = "schema.not_base64", Error, "The value is not valid base64";
    SchemaFixedValue = "schema.fixed_value", Error, "The value differs from the fixed value the schema requires";
    SchemaInvalidValue = "schema.invalid_value", Error, "The value is not valid for its XML Schema type";

    // --- Message limits (configurable hardening beyond the XSD) ---
    LimitRecords = "limit.records", Error, "The message carries more records than the configured limit";
    LimitItems = "limit.items", Error, "A record carries more items than the configured limit";

    // --- Formats from the spec text ---
    FormatGuid = "format.guid", Error, "The guid is not a 36-character UUID (8-4-4-4-12 hexadecimal)";
    FormatGuidCase = "format.guid_case", Warning, "The spec asks for upper-case guids";
    FormatDateTime14 = "format.datetime14", Error, "The value is not a valid YYYYMMDDhhmmss timestamp";
    FormatDateTime17 = "format.datetime17", Error, "The value is not a valid yyyyMMddHHmmssSSS timestamp";
    FormatDate8 = "format.date8", Error, "The value is not a valid YYYYMMDD date";
    FormatEnterpriseCode = "format.enterprise_code", Error, "The enterprise code is neither a 10-character customs code nor a valid 18-character unified social credit code";
    FormatIdNumber = "format.id_number", Error, "The PRC resident ID number is malformed or its check digit is wrong";
    FormatInvtNo = "format.invt_no", Error, "The list number (invtNo) does not follow customs code + year + I/E + serial";
    FormatPreNo = "format.pre_no", Error, "The e-port number (preNo) is not B + 8-digit date + 9-digit serial";
    FormatHsCode = "format.hs_code", Error, "The HS code (gcode) is not a 10-digit commodity code";
    FormatNumber = "format.number", Error, "The value is not a valid number for this field";
    FormatTelephone = "format.telephone", Warning, "The telephone number does not look like a phone number";
    FormatCustomsCode = "format.customs_code", Error, "The customs district code (customsCode, portCode) is not 4 digits";

    // --- Code values from the code tables and enumerations of the spec ---
    CodeUnknown = "code.unknown", Error, "The value is not in the code table of this field";
    CodeNotAllowed = "code.not_allowed", Error, "The value is a known code but not allowed in this message or mode";

    // --- Arithmetic and consistency inside one message ---
    ArithTotalPrice = "arith.total_price", Error, "totalPrice is not qty × price";
    ArithActuralPaid = "arith.actural_paid", Error, "acturalPaid is not goodsValue + freight + taxTotal − discount";
    ArithGoodsValue = "arith.goods_value", Error, "The head goods value is not the sum of the item totals";
    ArithGnumSequence = "arith.gnum_sequence", Error, "Item numbers (gnum) must run 1..n without gaps or repeats";
    ArithMsgSequence = "arith.msg_sequence", Error, "msgSeqNo must lie within 1..msgCount";
    ConsistencyMismatch = "consistency.mismatch", Error, "Two fields of the message that must agree differ";
    ConsistencyRequiredForMode = "consistency.required_for_mode", Error, "A field the spec requires in this mode or status is missing";
    ConsistencyNotAllowedForMode = "consistency.not_allowed_for_mode", Error, "A field is filled that this mode does not use";
    SignatureRequired = "signature.required", Error, "The spec requires this message to be signed";

    // --- Placeholder values known from the official samples ---
    PlaceholderValue = "placeholder.value", Error, "The value is a placeholder from the official samples, not business data";

    // --- XML digital signature: ds:Signature, certificates and keys (cbec-dsig) ---
    SignatureMissing = "signature.missing", Error, "The message carries no ds:Signature";
    SignatureMultiple = "signature.multiple", Error, "The message carries more than one ds:Signature element";
    SignatureMisplaced = "signature.misplaced", Error, "ds:Signature is not a direct child of the root element";
    SignatureMalformed = "signature.malformed", Error, "ds:Signature is malformed: a part is missing, repeated, misplaced or unreadable";
    SignatureProfile = "signature.profile", Error, "The signature uses a construct outside the CEB enveloped whole-document profile (Reference URI, transforms, Object, KeyInfo content)";
    SignatureUnsupportedAlgorithm = "signature.unsupported_algorithm", Error, "The signature names a canonicalization, signature, digest or transform algorithm that is not accepted";
    SignatureDigestMismatch = "signature.digest_mismatch", Error, "The document does not match the signed DigestValue: it was changed after signing";
    SignatureInvalid = "signature.invalid", Error, "The SignatureValue does not verify with the certificate's public key";
    SignatureKeyNameMismatch = "signature.key_name_mismatch", Error, "KeyName does not name the serial number of the embedded certificate";
    SignatureCertificateUnparsable = "signature.certificate_unparsable", Error, "The embedded X509Certificate is not a readable RSA or SM2 X.509 certificate";
    SignatureCertificateExpired = "signature.certificate_expired", Error, "The signing certificate had expired at the time of verification";
    SignatureCertificateNotYetValid = "signature.certificate_not_yet_valid", Error, "The signing certificate was not yet valid at the time of verification";
    SignatureUntrustedIssuer = "signature.untrusted_issuer", Error, "The signing certificate does not chain to a configured trust anchor";
    SignaturePinMismatch = "signature.pin_mismatch", Error, "The signing certificate is not one bound to the sender (pinned certificate or serial)";
    SignatureAlreadySigned = "signature.already_signed", Error, "The document to sign already carries a ds:Signature";
    SignatureKeyUnreadable = "signature.key_unreadable", Error, "The private key could not be read (PKCS#8 RSA or SM2 expected)";
    SignatureKeyMismatch = "signature.key_mismatch", Error, "The key does not belong to the certificate, or does not fit the signature algorithm";
    SignatureSigningFailed = "signature.signing_failed", Error, "Signing or issuing a certificate failed";

    // --- Enterprise filing (cbec-rules::filing, applications to customs) ---
    FilingNoIdentity = "filing.no_identity", Error, "The enterprise has neither a 10-character customs code nor an 18-character unified social credit code";
    FilingMissingField = "filing.missing_field", Error, "A field the filing needs is empty (name, address, licence number, …)";
    FilingNoType = "filing.no_type", Error, "No CBEC enterprise type (跨境电子商务企业类型) is selected";
    FilingLicenceInvalid = "filing.licence_invalid", Error, "A licence's validity dates are not YYYY-MM-DD or end before they start";
    FilingLicenceMissing = "filing.licence_missing", Error, "The enterprise type needs a licence that is not on file (payment: 支付业务许可证 or 金融许可证; logistics: 快递业务经营许可证)";
    FilingLicenceExpired = "filing.licence_expired", Error, "The licence the enterprise type needs has expired or is not yet in force";
    FilingLicenceScope = "filing.licence_scope", Error, "The payment business licence's scope does not cover internet payment (互联网支付)";
    FilingCertificateUnparsable = "filing.certificate_unparsable", Error, "A certificate to bind is not a readable RSA or SM2 X.509 certificate in PEM";
    FilingCertificateNotValid = "filing.certificate_not_valid", Error, "A certificate to bind has expired or is not yet valid";
    FilingCertificateBound = "filing.certificate_bound", Error, "A certificate to bind is already bound to an enterprise";
    FilingCreditInsufficient = "filing.credit_insufficient", Error, "The business needs customs credit general or above (一般信用及以上); the enterprise is rated dishonest";
    FilingTypeRequired = "filing.type_required", Error, "The business needs an enterprise type or trade direction the enterprise is not filed with";
    FilingAlreadyDone = "filing.already_done", Error, "What the application asks for is already filed (the same warehouse, B2B export already declared)";
    FilingIdentityChanged = "filing.identity_changed", Error, "An information change alters or removes the enterprise's customs code or unified social credit code";
    FilingNoChange = "filing.no_change", Error, "The information change gives the same record as the one on file";
    FilingWarehouseArea = "filing.warehouse_area", Error, "The overseas warehouse's area is not greater than zero";
    FilingDocumentRequired = "filing.document_required", Error, "A leased overseas warehouse needs its lease document";
    FilingAlreadyFiled = "filing.already_filed", Error, "An enterprise with this customs code or unified social credit code is already filed";

    // --- Goods control on lists, against the reference data in force (cbec-clearance::goods) ---
    GoodsHsMalformed = "goods.hs_malformed", Error, "The HS code (gcode) is not a 10-digit commodity code";
    GoodsHsUnknown = "goods.hs_unknown", Error, "The HS code is not a line of the tariff in force";
    GoodsProhibitedHs = "goods.prohibited_hs", Error, "The HS code falls under an entry of the prohibited and restricted goods catalogue";
    GoodsProhibitedKeyword = "goods.prohibited_keyword", Error, "The goods name contains a keyword of the prohibited and restricted goods catalogue";
    GoodsProhibitedOrigin = "goods.prohibited_origin", Error, "Goods of this origin country are in the prohibited and restricted goods catalogue";
    GoodsNotOnPositiveList = "goods.not_on_positive_list", Error, "Retail import goods not on the positive list (跨境电子商务零售进口商品清单)";
    GoodsPositiveListExclusion = "goods.positive_list_exclusion", Error, "The goods fall under an exclusion in the remark of their positive-list line";
    GoodsAnnualQtyCap = "goods.annual_qty_cap", Error, "The buyer's quantity of these goods this year would exceed the positive list's per-person annual cap";
    GoodsCapUnit = "goods.cap_unit", Error, "Goods with a positive-list annual cap are declared in neither qty nor qty1 in the cap's unit";
    GoodsRefusedByWarning = "goods.refused_by_warning", Error, "An active quality and safety risk warning refuses entry of these goods";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code {s:?}")))
    }
}

/// One problem found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Where: `Order[1]/OrderList[2]/qty` (1-based positions, XSD element names).
    pub path: String,
    /// The offending value, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<String>,
    /// What is wrong and, where it helps, how to fix it. English, with the
    /// Chinese field name of the spec.
    pub message: String,
    /// 1-based line in the source document, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            path: path.into(),
            value: None,
            message: message.into(),
            line: None,
        }
    }

    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    pub fn with_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            assert!(c.as_str().contains('.'), "codes are grouped: {}", c.as_str());
        }
    }
}

#[cfg(test)]
mod doc_tests {
    use super::Code;

    /// docs/diagnostics.md is the integrators' copy of this registry.
    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../../../docs/diagnostics.md");
        let missing: Vec<_> = Code::ALL.iter().filter(|c| !doc.contains(&format!("`{}`", c.as_str()))).collect();
        assert!(missing.is_empty(), "add these codes to docs/diagnostics.md: {missing:?}");
    }
}
