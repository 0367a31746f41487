//! The tokenizer of the search analyzer: tantivy's `SimpleTokenizer` (runs of Unicode
//! alphanumeric characters), except that each Chinese or Japanese character (Han ideographs,
//! hiragana, katakana) is a token of its own. Those scripts do not separate words by spaces:
//! as one run, `決済システムが停止` was a single term (a search for `決済` could not find it)
//! and a run of 14 characters or more (40 bytes) was dropped whole. One term per character,
//! with a query of several characters also counting as their phrase ([`super::query`]), finds
//! words in running text. `pmsearch.js` tokenises identically (tested).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Whether `c` is a Chinese or Japanese character that forms a token alone.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF // hiragana, katakana
        | 0x31F0..=0x31FF // katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // halfwidth katakana
        | 0x20000..=0x3134F) // CJK extensions B to G
}

/// Whether `c` extends a word begun with a character that is not [`is_cjk`]: a letter or digit
/// outside those scripts. Used by the tokenizer and by the excerpts, which must cut words alike.
pub(super) fn continues_word(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Splits text into runs of alphanumeric characters, and CJK characters one by one.
#[derive(Clone, Default)]
pub(crate) struct PmTokenizer {
    token: Token,
}

/// The token stream of [`PmTokenizer`].
pub(crate) struct PmTokenStream<'a> {
    text: &'a str,
    /// Byte offset of the next character to look at.
    at: usize,
    token: &'a mut Token,
}

impl Tokenizer for PmTokenizer {
    type TokenStream<'a> = PmTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PmTokenStream<'a> {
        self.token.reset();
        PmTokenStream {
            text,
            at: 0,
            token: &mut self.token,
        }
    }
}

impl PmTokenStream<'_> {
    /// The character at byte `i` and its length (ASCII without decoding).
    fn char_at(&self, i: usize) -> (char, usize) {
        let b = self.text.as_bytes()[i];
        if b < 0x80 {
            return (b as char, 1);
        }
        let c = self.text[i..].chars().next().unwrap_or('\u{fffd}');
        (c, c.len_utf8())
    }
}

impl TokenStream for PmTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        let n = self.text.len();
        let mut i = self.at;
        while i < n {
            let (c, len) = self.char_at(i);
            if c.is_alphanumeric() {
                break;
            }
            i += len;
        }
        if i >= n {
            self.at = n;
            return false;
        }
        let from = i;
        let (first, len) = self.char_at(i);
        i += len;
        if !is_cjk(first) {
            while i < n {
                let (c, len) = self.char_at(i);
                if !continues_word(c) {
                    break;
                }
                i += len;
            }
        }
        self.at = i;
        self.token.offset_from = from;
        self.token.offset_to = i;
        self.token.text.push_str(&self.text[from..i]);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(usize, String, usize, usize)> {
        let mut t = PmTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let k = s.token();
            out.push((k.position, k.text.clone(), k.offset_from, k.offset_to));
        }
        out
    }

    #[test]
    fn latin_and_cyrillic_as_simple_tokenizer_cjk_by_character() {
        use tantivy::tokenizer::SimpleTokenizer;
        for text in [
            "Hello, happy tax-payer! 1.1.1.1 Zürich",
            "Платежи не прошли",
        ] {
            let mut simple = SimpleTokenizer::default();
            let mut s = simple.token_stream(text);
            let mut want = Vec::new();
            while s.advance() {
                let k = s.token();
                want.push((k.position, k.text.clone(), k.offset_from, k.offset_to));
            }
            assert_eq!(tokens(text), want, "{text}");
        }
        let got: Vec<String> = tokens("db決済システム、停止ok")
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(
            got,
            ["db", "決", "済", "シ", "ス", "テ", "ム", "停", "止", "ok"]
        );
    }
}
