//! The list of breached passwords the compromised-credentials check compares
//! against, kept in memory as SHA-1 hashes only.

use std::collections::HashSet;

use tessera_crypto::digest::sha1;

/// Breached passwords, as hashes.
#[derive(Debug, Default)]
pub struct BreachedPasswords {
    hashes: HashSet<[u8; 20]>,
}

impl BreachedPasswords {
    /// Reads a list with one entry a line: 40 hexadecimal digits (optionally
    /// followed by `:count`, as Have I Been Pwned's downloads are) are a
    /// password's SHA-1; any other non-empty line is a password itself.
    pub fn parse(text: &str) -> BreachedPasswords {
        let mut hashes = HashSet::new();
        for line in text.lines() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            let digits = line.split_once(':').map_or(line, |(hash, _)| hash);
            let mut hash = [0u8; 20];
            if digits.len() == 40 && hex::decode_to_slice(digits, &mut hash).is_ok() {
                hashes.insert(hash);
            } else {
                hashes.insert(sha1(line.as_bytes()));
            }
        }
        BreachedPasswords { hashes }
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    pub fn contains(&self, password: &str) -> bool {
        self.hashes.contains(&sha1(password.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_and_sha1_lines_both_match() {
        // SHA-1("P@ssw0rd"), upper case with a count as HIBP writes it.
        let list = BreachedPasswords::parse(
            "hunter2\r\n\n21BD12DC183F740EE76F27B78EB39C8AD972A757:52579\nCorrect Horse\n",
        );
        assert_eq!(list.len(), 3);
        assert!(list.contains("hunter2"));
        assert!(list.contains("P@ssw0rd"));
        assert!(list.contains("Correct Horse"));
        assert!(!list.contains("hunter3"));
        assert!(!list.contains(""));
    }
}
