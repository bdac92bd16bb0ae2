//! The tokeniser: Unicode lowercase, then words are the runs of letters and digits.
//!
//! Whitespace and punctuation (anything that is not alphanumeric) only separate words, so
//! `Я плохой, а не хороший` gives `я плохой а не хороший`, and on the article's data (lower
//! case words joined by single spaces) it gives exactly the article's `text.split(' ')`.

/// Splits `text` into lowercase words.
pub fn tokenize(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_phrases_split_on_spaces() {
        assert_eq!(
            tokenize("i am not at all bad or sad right now"),
            [
                "i", "am", "not", "at", "all", "bad", "or", "sad", "right", "now"
            ]
        );
        assert_eq!(tokenize("good"), ["good"]);
    }

    #[test]
    fn russian_lowercase_and_punctuation() {
        assert_eq!(
            tokenize("Я плохой, а не хороший"),
            ["я", "плохой", "а", "не", "хороший"]
        );
        assert_eq!(
            tokenize("Я чувствую себя неплохо, мне не грустно!"),
            ["я", "чувствую", "себя", "неплохо", "мне", "не", "грустно"]
        );
    }

    #[test]
    fn separators_collapse_and_digits_stay() {
        assert_eq!(
            tokenize("  Good...BAD\t\r\n 42 «ёлка»—x "),
            ["good", "bad", "42", "ёлка", "x"]
        );
        assert!(tokenize(" ,.!? ").is_empty());
    }
}
