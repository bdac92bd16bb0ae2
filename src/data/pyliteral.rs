//! The loader for the tutorial's own data module: a `.py` file of dict literals,
//! `train_data = { 'good': True, ... }` and `test_data = { ... }`.
//!
//! The file is parsed, never executed. Exactly this subset is accepted: assignments of a
//! dict literal to a name, keys that are quoted strings (single or double quotes, with the
//! escapes `\\ \' \" \n \t`), values `True`, `False` or integers, commas (a trailing one
//! too), `#` comments and blank lines. Anything else is an error at its line and column.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::raw::{Loaded, RawExample, Role};
use crate::error::{Error, Location, Result, quoted};

/// Parses `text` and returns the entries of the dict bound to `role`'s variable, read as
/// Python reads the module: a variable assigned twice holds its last dict, and a key given
/// twice in one dict holds its last value at its first place. Both are legal Python but
/// likely mistakes in a data set, so each gives a warning.
pub(super) fn parse(path: &Path, text: &str, role: Role) -> Result<Loaded> {
    let mut parser = Parser {
        path,
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
        col: 1,
    };
    let wanted = role.py_variable();
    // The names assigned, in order, for the message when `wanted` is not among them; the set
    // keeps a module of many assignments linear (a search of the list was quadratic).
    let mut found: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut assignments: Vec<(usize, Dict)> = Vec::new();
    while parser.skip_blank() {
        let (name, line) = parser.assignment_target()?;
        let dict = parser.dict(&name)?;
        if name == wanted {
            assignments.push((line, dict));
        }
        if !seen.contains(&name) {
            seen.insert(name.clone());
            found.push(name);
        }
    }
    let mut warnings: Vec<String> = reassigned(path, wanted, &assignments).into_iter().collect();
    let Some((_, dict)) = assignments.pop() else {
        return Err(missing(path, wanted, &found));
    };
    warnings.extend(repeated_keys(path, wanted, &dict.repeats));
    Ok(Loaded {
        examples: dict.entries,
        warnings,
    })
}

/// A dict literal as Python builds it: one entry per distinct key.
struct Dict {
    entries: Vec<RawExample>,
    /// Each key given again: the key, the line of its first and of its later occurrence.
    repeats: Vec<(String, usize, usize)>,
}

/// The warning for a variable assigned more than once.
fn reassigned(path: &Path, name: &str, assignments: &[(usize, Dict)]) -> Option<String> {
    if assignments.len() < 2 {
        return None;
    }
    let lines: Vec<String> = assignments.iter().map(|(l, _)| l.to_string()).collect();
    Some(format!(
        "{}: `{name}` is assigned {} times (lines {}); as in Python, the last one (line {}) is \
         used",
        path.display(),
        assignments.len(),
        lines.join(", "),
        lines[lines.len() - 1]
    ))
}

/// The warning for keys given more than once in the dict used.
fn repeated_keys(path: &Path, name: &str, repeats: &[(String, usize, usize)]) -> Option<String> {
    let (key, first, later) = repeats.first()?;
    Some(format!(
        "{}: {} key(s) of `{name}` are given more than once, e.g. {} (lines {first} and \
         {later}); as in Python, the last value is used, in the first one's place",
        path.display(),
        repeats.len(),
        quoted(key)
    ))
}

fn missing(path: &Path, wanted: &str, found: &[String]) -> Error {
    let names = if found.is_empty() {
        "none".to_owned()
    } else {
        found.join(", ")
    };
    Error::data(
        path,
        Location::File,
        format!("no `{wanted} = {{...}}` in this Python data module (it assigns: {names})"),
    )
}

struct Parser<'a> {
    path: &'a Path,
    chars: Vec<char>,
    pos: usize,
    line: usize,
    col: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::data(self.path, Location::LineCol(self.line, self.col), message)
    }

    /// A short quote of what stands at the cursor, for "found ..." messages.
    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the file".to_owned(),
            Some(_) => {
                let rest: String = self.chars[self.pos..]
                    .iter()
                    .take_while(|&&c| c != '\n')
                    .take(20)
                    .collect();
                format!("`{}`", rest.trim_end())
            }
        }
    }

    /// Skips whitespace, newlines and comments; false at the end of the file.
    fn skip_blank(&mut self) -> bool {
        while let Some(c) = self.peek() {
            if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else if c.is_whitespace() {
                self.bump();
            } else {
                return true;
            }
        }
        false
    }

    fn expect(&mut self, want: char, what: &str) -> Result<()> {
        self.skip_blank();
        if self.peek() == Some(want) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(format!("expected {what}, found {}", self.found())))
        }
    }

    fn identifier(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
            name.push(c);
            self.bump();
        }
        name
    }

    /// `name =`, returning the name and its line.
    fn assignment_target(&mut self) -> Result<(String, usize)> {
        let line = self.line;
        let starts_name = self.peek().is_some_and(|c| c.is_alphabetic() || c == '_');
        let name = if starts_name {
            self.identifier()
        } else {
            String::new()
        };
        self.skip_blank();
        if name.is_empty() || self.peek() != Some('=') || is_keyword(&name) {
            return Err(self.error_at_line(
                line,
                format!(
                    "only assignments of dict literals (`train_data = {{ 'text': True, ... }}`) \
                     are allowed; found {}",
                    if name.is_empty() {
                        self.found()
                    } else {
                        format!("`{name}`")
                    }
                ),
            ));
        }
        self.bump();
        Ok((name, line))
    }

    fn error_at_line(&self, line: usize, message: String) -> Error {
        Error::data(self.path, Location::Line(line), message)
    }

    /// `{ 'text': value, ... }` with an optional trailing comma.
    fn dict(&mut self, name: &str) -> Result<Dict> {
        self.skip_blank();
        if self.peek() != Some('{') {
            return Err(self.error(format!(
                "`{name}` must be a dict literal `{{ 'text': True, ... }}`, found {} \
                 (the file is parsed, never executed)",
                self.found()
            )));
        }
        self.bump();
        let mut dict = Dict {
            entries: Vec::new(),
            repeats: Vec::new(),
        };
        let mut index: HashMap<String, usize> = HashMap::new();
        loop {
            self.skip_blank();
            if self.peek() == Some('}') {
                self.bump();
                return Ok(dict);
            }
            let line = self.line;
            let text = self.string()?;
            self.expect(':', "`:` after the phrase")?;
            let label = self.value()?;
            match index.get(&text) {
                // The later value, at the first one's place; its line for messages.
                Some(&i) => {
                    let first = &mut dict.entries[i];
                    dict.repeats.push((text, first.line, line));
                    first.label = label;
                    first.line = line;
                }
                None => {
                    index.insert(text.clone(), dict.entries.len());
                    dict.entries.push(RawExample { text, label, line });
                }
            }
            self.skip_blank();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {}
                _ => {
                    return Err(self.error(format!("expected `,` or `}}`, found {}", self.found())));
                }
            }
        }
    }

    fn string(&mut self) -> Result<String> {
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => {
                return Err(self.error(format!("expected a quoted phrase, found {}", self.found())));
            }
        };
        self.bump();
        let mut text = String::new();
        loop {
            if matches!(self.peek(), None | Some('\n')) {
                return Err(self.error("unterminated string"));
            }
            match self.bump() {
                Some(c) if c == quote => return Ok(text),
                Some('\\') => {
                    let escaped = match self.bump() {
                        Some('\\') => '\\',
                        Some('\'') => '\'',
                        Some('"') => '"',
                        Some('n') => '\n',
                        Some('t') => '\t',
                        other => {
                            let shown = other.map_or(String::new(), String::from);
                            return Err(self.error(format!(
                                "unsupported escape `\\{shown}`; allowed: \\\\ \\' \\\" \\n \\t"
                            )));
                        }
                    };
                    text.push(escaped);
                }
                Some(c) => text.push(c),
                None => unreachable!("checked above"),
            }
        }
    }

    /// `True`, `False` or an integer, as a label string.
    fn value(&mut self) -> Result<String> {
        self.skip_blank();
        let start = (self.line, self.col);
        let mut word = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        {
            word.push(c);
            self.bump();
        }
        match word.as_str() {
            "True" => Ok("true".to_owned()),
            "False" => Ok("false".to_owned()),
            w if w.parse::<i64>().is_ok() => Ok(w.to_owned()),
            _ => Err(Error::data(
                self.path,
                Location::LineCol(start.0, start.1),
                format!(
                    "expected a label `True`, `False` or an integer, found {}",
                    if word.is_empty() {
                        self.found()
                    } else {
                        format!("`{word}`")
                    }
                ),
            )),
        }
    }
}

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "import" | "from" | "def" | "class" | "if" | "for" | "while" | "with" | "del" | "exec"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "# data\ntrain_data = {\n  'good': True,\n  \"not good\": False, # c\n  'it\\'s': 2,\n}\n\ntest_data = {'bad': False}\n";

    fn parse_str(text: &str, role: Role) -> Result<Vec<RawExample>> {
        parse(Path::new("d.py"), text, role).map(|l| l.examples)
    }

    #[test]
    fn reads_the_dict_of_its_role() {
        let train = parse_str(MODULE, Role::Train).unwrap();
        let got: Vec<_> = train
            .iter()
            .map(|e| (e.text.as_str(), e.label.as_str(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                ("good", "true", 3),
                ("not good", "false", 4),
                ("it's", "2", 5)
            ]
        );
        let test = parse_str(MODULE, Role::Test).unwrap();
        assert_eq!(test[0].text, "bad");
        assert_eq!(test[0].line, 8);
    }

    #[test]
    fn refuses_code() {
        let err = parse_str("import os\ntrain_data = {}\n", Role::Train).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("d.py:1: only assignments of dict literals"),
            "{err}"
        );
        let err = parse_str("train_data = dict(good=True)\n", Role::Train).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.py:1:14: `train_data` must be a dict literal `{ 'text': True, ... }`, found \
             `dict(good=True)` (the file is parsed, never executed)"
        );
        let err = parse_str("train_data = {'a': bool(1)}\n", Role::Train).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.py:1:20: expected a label `True`, `False` or an integer, found `bool`"
        );
        let err = parse_str("print('hi')\n", Role::Train).unwrap_err();
        assert!(err.to_string().contains("found `print`"), "{err}");
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = parse_str("train_data = {\n 'a' True }\n", Role::Train).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.py:2:6: expected `:` after the phrase, found `True }`"
        );
        let err = parse_str("train_data = {'a: True}\n", Role::Train).unwrap_err();
        assert_eq!(err.to_string(), "d.py:1:24: unterminated string");
        let err = parse_str("train_data = {'a': True 'b': False}", Role::Train).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.py:1:25: expected `,` or `}`, found `'b': False}`"
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_in_its_first_place_with_a_warning() {
        // Regression: both entries were kept, so the set differed from the module Python
        // builds (`{'a': True, 'a': False} == {'a': False}`), silently.
        let text = "train_data = {\n 'good': True,\n 'bad': False,\n \"good\": False,\n}\n";
        let loaded = parse(Path::new("d.py"), text, Role::Train).unwrap();
        let got: Vec<_> = loaded
            .examples
            .iter()
            .map(|e| (e.text.as_str(), e.label.as_str(), e.line))
            .collect();
        assert_eq!(got, [("good", "false", 4), ("bad", "false", 3)]);
        assert_eq!(
            loaded.warnings,
            [
                "d.py: 1 key(s) of `train_data` are given more than once, e.g. `good` (lines 2 \
                 and 4); as in Python, the last value is used, in the first one's place"
            ]
        );
        // Repeats in the other role's dict are not this role's business.
        let text = "train_data = {'a': True}\ntest_data = {'b': True, 'b': False}\n";
        let loaded = parse(Path::new("d.py"), text, Role::Train).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }

    #[test]
    fn a_variable_assigned_twice_holds_its_last_dict_with_a_warning() {
        // Decided as Python reads it (it was an error): the last assignment wins.
        let text = "train_data = {'a': True}\ntest_data = {'c': 1}\n\ntrain_data = {'b': False}\n";
        let loaded = parse(Path::new("d.py"), text, Role::Train).unwrap();
        assert_eq!(loaded.examples.len(), 1);
        assert_eq!(
            (loaded.examples[0].text.as_str(), loaded.examples[0].line),
            ("b", 4)
        );
        assert_eq!(
            loaded.warnings,
            [
                "d.py: `train_data` is assigned 2 times (lines 1, 4); as in Python, the last one \
              (line 4) is used"
            ]
        );
        let test = parse(Path::new("d.py"), text, Role::Test).unwrap();
        assert!(test.warnings.is_empty(), "{:?}", test.warnings);
        // The earlier dict must still be valid Python.
        let err = parse_str(
            "train_data = {'a' True}\ntrain_data = {'b': 1}\n",
            Role::Train,
        );
        assert!(
            err.unwrap_err()
                .to_string()
                .starts_with("d.py:1:19: expected `:`")
        );
    }

    #[test]
    fn missing_variable_lists_what_is_there() {
        let err = parse_str("train_data = {'a': True}\n", Role::Test).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.py: no `test_data = {...}` in this Python data module (it assigns: train_data)"
        );
        // Each name once, in the order of its first assignment.
        let err = parse_str("b = {}\na = {'x': 1}\nb = {}\nc = {}\na = {}\n", Role::Test);
        assert_eq!(
            err.unwrap_err().to_string(),
            "d.py: no `test_data = {...}` in this Python data module (it assigns: b, a, c)"
        );
    }
}
