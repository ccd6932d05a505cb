//! What the unit tests of several modules share.

/// A small deterministic generator (xorshift64), so that a randomised test draws the same
/// inputs on every run and a failure reproduces.
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    /// The next number.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next number below `n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Up to eleven pieces of line-shaped text, each followed by a line break two times in
/// three or run into the next: texts whose line breaks, form feeds, blank lines, white
/// space and multi-byte characters fall at every kind of position, for the tests of
/// what cuts a text into lines and pages.
pub(crate) fn line_soup(rng: &mut XorShift) -> String {
    const PIECES: [&str; 10] = [
        "Some words",
        "",
        "  ",
        "\x0c",
        "x",
        "\t\x0b ",
        "é",
        "\u{2003}",
        "\r",
        "\x0c\n",
    ];
    let mut text = String::new();
    for _ in 0..rng.below(12) {
        text.push_str(PIECES[rng.below(PIECES.len())]);
        if rng.below(3) > 0 {
            text.push('\n');
        }
    }
    text
}
