//! A small CSV reader for the embedded code tables (RFC 4180: comma
//! separated, fields optionally quoted, `""` escapes a quote, quoted fields
//! may hold commas and line breaks; CRLF or LF line ends; a leading BOM is
//! skipped; blank lines are ignored).

/// Why a CSV text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line where the problem was found.
    pub line: usize,
    pub message: &'static str,
}

/// One record and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Splits `text` into records of fields.
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, CsvError> {
    Ok(records(text)?.into_iter().map(|r| r.fields).collect())
}

/// Splits `text` into records, each with the line it starts on (for
/// reports that name the line of a bad row).
pub fn records(text: &str) -> Result<Vec<Record>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut start = 1;
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false; // inside a quoted field
    let mut was_quoted = false; // the current field was quoted
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            '"' => return Err(CsvError { line, message: "a quote inside an unquoted field" }),
            ',' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                end_record(&mut records, &mut record, &mut field, was_quoted, start);
                was_quoted = false;
                line += 1;
                start = line;
            }
            _ if was_quoted => return Err(CsvError { line, message: "text after the closing quote of a field" }),
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError { line, message: "a quoted field is not closed" });
    }
    end_record(&mut records, &mut record, &mut field, was_quoted, start);
    Ok(records)
}

fn end_record(records: &mut Vec<Record>, record: &mut Vec<String>, field: &mut String, was_quoted: bool, line: usize) {
    if record.is_empty() && field.is_empty() && !was_quoted {
        return; // blank line
    }
    record.push(std::mem::take(field));
    records.push(Record { line, fields: std::mem::take(record) });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        parse(text).unwrap()
    }

    #[test]
    fn plain_and_quoted_fields() {
        assert_eq!(rows("a,b,c\n1,2,3\n"), vec![vec!["a", "b", "c"], vec!["1", "2", "3"]]);
        assert_eq!(rows("a,\"b, c\",d"), vec![vec!["a", "b, c", "d"]]);
        assert_eq!(rows("\"say \"\"hi\"\"\",x"), vec![vec!["say \"hi\"", "x"]]);
        assert_eq!(rows("\"two\nlines\",x\r\ny,z\r\n"), vec![vec!["two\nlines", "x"], vec!["y", "z"]]);
        assert_eq!(rows("a,,\n"), vec![vec!["a", "", ""]]);
        assert_eq!(rows("\u{feff}a\n\n\nb\n"), vec![vec!["a"], vec!["b"]]);
        assert_eq!(rows("\"\"\n"), vec![vec![""]]);
        assert_eq!(rows(""), Vec::<Vec<String>>::new());
        assert_eq!(rows("中国,\"人民币\"\n"), vec![vec!["中国", "人民币"]]);
    }

    #[test]
    fn records_know_their_line() {
        let r = records("h\n\n\"two\nlines\",x\ny\n").unwrap();
        assert_eq!(r.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 3, 5]);
        assert_eq!(r[1].fields, ["two\nlines", "x"]);
    }

    #[test]
    fn malformed() {
        assert_eq!(parse("a,\"b\nc").unwrap_err(), CsvError { line: 2, message: "a quoted field is not closed" });
        assert_eq!(parse("ok\na\"b").unwrap_err().line, 2);
        assert!(parse("\"a\"b").is_err());
    }
}
