//! Free text typed by people: names, address lines, searches.

/// Characters that change how text displays without being visible, or that are not
/// text at all: format characters (soft hyphen, zero-width spaces and joiners,
/// bidirectional overrides and isolates, the byte-order mark, tags), line and paragraph
/// separators, and noncharacters.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{FFFE}'..='\u{FFFF}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// One line of text: trimmed, with no control or invisible characters, not empty, and
/// at most `max` characters.
pub fn clean_line(raw: &str, max: usize) -> Result<String, &'static str> {
    let text = raw.trim();
    if text.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err("must not contain control or invisible characters");
    }
    if text.is_empty() {
        return Err("must not be empty");
    }
    if text.chars().count() > max {
        return Err("is too long");
    }
    Ok(text.to_string())
}

/// Free text of several lines (a note): like `clean_line`, but line breaks and tabs are
/// kept (`\r\n` becomes `\n`).
pub fn clean_text(raw: &str, max: usize) -> Result<String, &'static str> {
    let text = raw.replace("\r\n", "\n");
    let text = text.trim();
    if text
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_invisible(c))
    {
        return Err("must not contain control or invisible characters");
    }
    if text.is_empty() {
        return Err("must not be empty");
    }
    if text.chars().count() > max {
        return Err("is too long");
    }
    Ok(text.to_string())
}

/// A person's name: a clean line of at most 200 characters with at least one letter.
pub fn person_name(raw: &str) -> Result<String, &'static str> {
    let name = clean_line(raw, 200)?;
    if !name.chars().any(char::is_alphabetic) {
        return Err("must contain letters");
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::{clean_line, person_name};

    #[test]
    fn names_are_trimmed_and_need_letters() {
        assert_eq!(person_name("  Ann Lee "), Ok("Ann Lee".to_string()));
        assert!(person_name("1234").is_err());
        assert!(person_name("\u{200B}").is_err());
    }

    #[test]
    fn control_and_invisible_characters_are_refused() {
        for raw in [
            "a\u{0}b",
            "line\nbreak",
            "evil\u{202E}txt",
            "tab\there",
            "soft\u{AD}",
            "x\u{E0041}",
        ] {
            assert!(clean_line(raw, 50).is_err(), "{raw:?} was accepted");
        }
        assert!(clean_line("ok", 1).is_err());
    }
}
