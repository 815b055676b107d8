//! Small builders for the HTML the pages repeat: tables, definition lists,
//! a section or a "none" line when there is nothing to show, and forms that
//! carry the session's CSRF token.
//!
//! Every argument named `html` (or a cell, a label, a caption) is HTML the
//! caller has already escaped with [`escape`]; plain values (ids, classes,
//! URLs, token values) are escaped here. Nothing else is escaped twice.

use super::escape;

/// ` name="value"` for each attribute with a value, escaped.
fn attrs(pairs: &[(&str, &str)]) -> String {
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!(" {k}=\"{}\"", escape(v))).collect()
}

/// A table: a header row of column labels, then rows of cells.
#[derive(Debug, Default)]
pub(crate) struct Table {
    open: String,
    caption: String,
    head: String,
    rows: String,
    len: usize,
}

impl Table {
    /// `<table class="{class}" id="{id}">` (either left out when empty).
    pub fn new(class: &str, id: &str) -> Self {
        Table { open: format!("<table{}>", attrs(&[("class", class), ("id", id)])), ..Table::default() }
    }

    /// A caption (HTML).
    pub fn caption(mut self, html: &str) -> Self {
        self.caption = format!("<caption>{html}</caption>");
        self
    }

    /// The column labels (HTML), as `<th scope="col">`.
    pub fn head<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        let cells: String = labels.iter().map(|l| format!("<th scope=\"col\">{}</th>", l.as_ref())).collect();
        self.head = format!("<thead><tr>{cells}</tr></thead>");
        self
    }

    /// A row of cells (HTML), as `<td>`.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.tr(&row(cells));
    }

    /// A row whose first cell heads it (`<th scope="row">`), then cells.
    pub fn keyed<S: AsRef<str>>(&mut self, key: &str, cells: &[S]) {
        let cells: String = cells.iter().map(|c| format!("<td>{}</td>", c.as_ref())).collect();
        self.tr(&format!("<tr><th scope=\"row\">{key}</th>{cells}</tr>"));
    }

    /// A whole `<tr>…</tr>` made by the caller (a row with attributes).
    pub fn tr(&mut self, html: &str) {
        self.rows.push_str(html);
        self.rows.push('\n');
        self.len += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The table's HTML.
    pub fn finish(self) -> String {
        format!("{}{}{}\n<tbody>\n{}</tbody></table>\n", self.open, self.caption, self.head, self.rows)
    }

    /// The table, or `none` (the empty-state HTML) when it has no rows.
    pub fn or(self, none: String) -> String {
        if self.is_empty() { none } else { self.finish() }
    }
}

/// `<tr>` of `<td>` cells (HTML).
pub(crate) fn row<S: AsRef<str>>(cells: &[S]) -> String {
    let cells: String = cells.iter().map(|c| format!("<td>{}</td>", c.as_ref())).collect();
    format!("<tr>{cells}</tr>")
}

/// The line that says there is nothing: `<p class="muted" id="{id}">` (the
/// id left out when empty).
pub(crate) fn none(id: &str, text: &str) -> String {
    format!("<p{}>{text}</p>\n", attrs(&[("class", "muted"), ("id", id)]))
}

/// A definition list of (term, definition) pairs, both HTML. A definition
/// may carry an id: give the pair as `dd_id` through [`Dl::item_id`].
#[derive(Debug, Default)]
pub(crate) struct Dl {
    open: String,
    items: String,
}

impl Dl {
    /// `<dl class="{class}" id="{id}">`.
    pub fn new(class: &str, id: &str) -> Self {
        Dl { open: format!("<dl{}>", attrs(&[("class", class), ("id", id)])), items: String::new() }
    }

    pub fn item(mut self, term: &str, html: &str) -> Self {
        self.items.push_str(&format!("<dt>{term}</dt><dd>{html}</dd>"));
        self
    }

    /// An item whose definition has an id (what tests and scripts find).
    pub fn item_id(mut self, term: &str, id: &str, html: &str) -> Self {
        self.items.push_str(&format!("<dt>{term}</dt><dd id=\"{}\">{html}</dd>", escape(id)));
        self
    }

    /// An item only when there is something to define.
    pub fn item_if(self, term: &str, html: Option<String>) -> Self {
        match html {
            Some(h) => self.item(term, &h),
            None => self,
        }
    }

    pub fn finish(self) -> String {
        format!("{}{}</dl>", self.open, self.items)
    }
}

/// `<section aria-labelledby="h-{id}"><h2 id="h-{id}">{title}</h2>{html}</section>`.
pub(crate) fn section(id: &str, title: &str, html: &str) -> String {
    let id = escape(id);
    format!("<section aria-labelledby=\"h-{id}\"><h2 id=\"h-{id}\">{title}</h2>{html}</section>\n")
}

/// The hidden field that carries the session's CSRF token.
pub(crate) fn csrf_field(token: &str) -> String {
    format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(token))
}

/// Hidden fields of (name, value) pairs, escaped.
pub(crate) fn hidden_fields(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v)))
        .collect()
}

/// A POST form to `action` (plain URL) with the CSRF field first, then
/// `inner` (HTML). `id` and `class` are left out when empty.
pub(crate) fn post_form(action: &str, id: &str, class: &str, csrf: &str, inner: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\"{}>{}{inner}</form>",
        escape(action),
        attrs(&[("id", id), ("class", class)]),
        csrf_field(csrf)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_lists() {
        let mut t = Table::new("list", "x").caption("C").head(&["a", "b"]);
        assert!(t.is_empty());
        t.row(&["1", "2"]);
        t.keyed("k", &["v"]);
        assert_eq!(
            t.finish(),
            "<table class=\"list\" id=\"x\"><caption>C</caption><thead><tr><th scope=\"col\">a</th>\
             <th scope=\"col\">b</th></tr></thead>\n<tbody>\n<tr><td>1</td><td>2</td></tr>\n\
             <tr><th scope=\"row\">k</th><td>v</td></tr>\n</tbody></table>\n"
        );
        assert_eq!(Table::new("", "").or(none("e", "none")), "<p class=\"muted\" id=\"e\">none</p>\n");
        assert_eq!(
            Dl::new("facts", "").item("t", "d").item_id("u", "i\"", "e").item_if("v", None).finish(),
            "<dl class=\"facts\"><dt>t</dt><dd>d</dd><dt>u</dt><dd id=\"i&quot;\">e</dd></dl>"
        );
    }

    #[test]
    fn forms_escape_what_they_are_given() {
        assert_eq!(
            post_form("/a?b=\"c\"", "f", "", "t<", "<b>x</b>"),
            "<form method=\"post\" action=\"/a?b=&quot;c&quot;\" id=\"f\"><input type=\"hidden\" name=\"csrf\" \
             value=\"t&lt;\"><b>x</b></form>"
        );
        assert_eq!(hidden_fields(&[("r", "<x>")]), "<input type=\"hidden\" name=\"r\" value=\"&lt;x&gt;\">");
    }
}
