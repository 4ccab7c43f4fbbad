//! Writes a synthetic activity log to stdout in coordination-network-toolkit's
//! CSV layout (`message_id,user_id,username,repost_id,reply_id,message,timestamp,urls`),
//! for benchmarks: many accounts with skewed activity, objects with skewed
//! popularity and delayed sharing, plus coordinated groups that repost the
//! same post or link within seconds. Fixed seed: the same arguments always
//! give the same file.
//!
//! ```text
//! cargo run --release -p crosswatch-detect --example generate_activity -- 1000000 > input.csv
//! ```
//!
//! With a third argument `texts` it writes posts for co-text instead: no
//! reposts or links, organic posts over a Zipf vocabulary, viral texts
//! copied with light edits at any time, and coordinated groups posting
//! lightly edited copies of a narrative within seconds (one or two words
//! replaced, dropped or added, mentions, hashtags, punctuation, case).
//!
//! ```text
//! generate_activity 1000000 20240601 texts > posts.csv
//! ```
//!
//! With `images` it writes `message_id,user_id,image_hash,timestamp`: PDQ-like
//! 256-bit hashes, unique for organic posts, and copies with up to 16 bits
//! flipped for viral images (any time) and coordinated bursts (within 30 s).

use std::io::{BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Skewed index in `0..n`: small indices are much more likely.
    fn skewed(&mut self, n: u64, power: i32) -> u64 {
        ((self.unit().powi(power) * n as f64) as u64).min(n.saturating_sub(1))
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const SPAN: u64 = 30 * 24 * 3600;

/// Standard output, buffered, after the header of the toolkit's CSV layout.
fn toolkit_csv() -> std::io::Result<BufWriter<std::io::StdoutLock<'static>>> {
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    writeln!(
        out,
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls"
    )?;
    Ok(out)
}

/// The last `group_accounts` of `accounts` split into groups of 5 to 30.
fn coordinated_groups(rng: &mut Rng, accounts: u64, group_accounts: u64) -> Vec<Vec<u64>> {
    let mut groups: Vec<Vec<u64>> = Vec::new();
    let mut next_member = 0;
    while next_member < group_accounts {
        let size = 5 + rng.below(26);
        groups.push(
            (next_member..(next_member + size).min(group_accounts))
                .map(|i| accounts - 1 - i)
                .collect(),
        );
        next_member += size;
    }
    groups
}

fn main() -> std::io::Result<()> {
    let rows: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_240_601);
    match std::env::args().nth(3).as_deref() {
        Some("texts") => return write_texts(rows, seed),
        Some("images") => return write_images(rows, seed),
        _ => {}
    }
    let mut rng = Rng(seed);
    let accounts = (rows / 20).max(10);
    let posts = (rows / 5).max(10);
    let links = (rows / 5).max(10);
    let post_birth: Vec<u64> = (0..posts).map(|_| rng.below(SPAN)).collect();
    let link_birth: Vec<u64> = (0..links).map(|_| rng.below(SPAN)).collect();
    // Coordinated groups: 1 account in 500 belongs to one, 5 to 30 members.
    let group_accounts = accounts / 500;
    let groups = coordinated_groups(&mut rng, accounts, group_accounts);
    let mut out = toolkit_csv()?;
    let mut id = 0u64;
    fn write_row(
        out: &mut impl Write,
        id: &mut u64,
        account: u64,
        repost: Option<u64>,
        urls: &[u64],
        time: u64,
    ) -> std::io::Result<()> {
        let repost = repost.map_or(String::new(), |post| format!("rt{post}"));
        let urls: Vec<String> = urls
            .iter()
            .map(|link| format!("https://site{}.example/a/{link}", link % 997))
            .collect();
        writeln!(
            out,
            "{id},u{account},name{account},{repost},,m{id},{time},{}",
            urls.join(" ")
        )?;
        *id += 1;
        Ok(())
    }
    while id < rows {
        if !groups.is_empty() && rng.below(100) < 5 {
            // A coordinated burst: the group acts on one object within 30 s.
            let group = &groups[rng.below(groups.len() as u64) as usize];
            let start = rng.below(SPAN);
            let is_repost = rng.below(2) == 0;
            let object = if is_repost {
                rng.below(posts)
            } else {
                rng.below(links)
            };
            for &member in group {
                if id >= rows {
                    break;
                }
                if rng.below(10) < 8 {
                    let time = start + rng.below(31);
                    if is_repost {
                        write_row(&mut out, &mut id, member, Some(object), &[], time)?;
                    } else {
                        write_row(&mut out, &mut id, member, None, &[object], time)?;
                    }
                }
            }
            continue;
        }
        let account = rng.skewed(accounts - group_accounts, 3);
        let delay = (-(1.0 - rng.unit()).ln() * 2.0 * 86_400.0) as u64;
        if rng.below(2) == 0 {
            let post = rng.skewed(posts, 3);
            write_row(
                &mut out,
                &mut id,
                account,
                Some(post),
                &[],
                post_birth[post as usize] + delay,
            )?;
        } else {
            let link = rng.skewed(links, 3);
            let mut urls = vec![link];
            if rng.below(10) == 0 {
                let second = rng.skewed(links, 3);
                if second != link {
                    urls.push(second);
                }
            }
            write_row(
                &mut out,
                &mut id,
                account,
                None,
                &urls,
                link_birth[link as usize] + delay,
            )?;
        }
    }
    out.flush()
}

/// A pronounceable pseudo-word for vocabulary index `index` (distinct per index).
fn word(index: u64) -> String {
    const ONSETS: [&str; 16] = [
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "st",
    ];
    const VOWELS: [&str; 8] = ["a", "e", "i", "o", "u", "ai", "ou", "ei"];
    let mut text = String::new();
    let mut rest = index;
    loop {
        text.push_str(ONSETS[(rest % 16) as usize]);
        rest /= 16;
        text.push_str(VOWELS[(rest % 8) as usize]);
        rest /= 8;
        if rest == 0 {
            return text;
        }
        rest -= 1;
    }
}

const VOCABULARY: u64 = 30_000;
const PUNCTUATION: [&str; 5] = [",", ".", "!", "?", ":"];

/// An original post of 8–30 Zipf-distributed words with some punctuation.
fn original_text(rng: &mut Rng) -> Vec<String> {
    let length = 8 + rng.below(23);
    (0..length)
        .map(|_| {
            let mut token = word(rng.skewed(VOCABULARY, 2));
            if rng.below(8) == 0 {
                token.push_str(PUNCTUATION[rng.below(PUNCTUATION.len() as u64) as usize]);
            }
            token
        })
        .collect()
}

/// A lightly edited copy: up to two word edits, and cosmetic changes that
/// normalisation removes (mentions, case).
fn edited_copy(rng: &mut Rng, words: &[String]) -> String {
    let mut copy = words.to_vec();
    for _ in 0..rng.below(3) {
        let at = rng.below(copy.len() as u64) as usize;
        match rng.below(3) {
            0 => copy[at] = word(rng.skewed(VOCABULARY, 2)),
            1 if copy.len() > 4 => {
                copy.remove(at);
            }
            _ => copy.insert(at, word(rng.skewed(VOCABULARY, 2))),
        }
    }
    if rng.below(4) == 0 {
        copy.insert(0, format!("@user{}", rng.below(1000)));
    }
    if rng.below(4) == 0 {
        copy.push(format!("#{}", word(rng.below(200))));
    }
    if rng.below(5) == 0 {
        copy[0] = copy[0].to_uppercase();
    }
    copy.join(" ")
}

/// Posts for co-text benchmarks (see the module documentation).
fn write_texts(rows: u64, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    let accounts = (rows / 20).max(10);
    let group_accounts = accounts / 200;
    let groups = coordinated_groups(&mut rng, accounts, group_accounts);
    let narratives: Vec<Vec<String>> = (0..(rows / 2000).max(4))
        .map(|_| original_text(&mut rng))
        .collect();
    let viral: Vec<Vec<String>> = (0..(rows / 500).max(4))
        .map(|_| original_text(&mut rng))
        .collect();
    let mut out = toolkit_csv()?;
    let mut id = 0u64;
    fn write_post(
        out: &mut impl Write,
        id: &mut u64,
        account: u64,
        text: &str,
        time: u64,
    ) -> std::io::Result<()> {
        writeln!(out, "{id},u{account},name{account},,,\"{text}\",{time},")?;
        *id += 1;
        Ok(())
    }
    while id < rows {
        let roll = rng.below(1000);
        // A burst writes about 14 posts: 4 in 1000 draws make ~5% of rows.
        if !groups.is_empty() && roll < 4 {
            // A coordinated burst: edited copies of one narrative within 30 s.
            let group = &groups[rng.below(groups.len() as u64) as usize];
            let narrative = &narratives[rng.below(narratives.len() as u64) as usize];
            let start = rng.below(SPAN);
            for &member in group {
                if id < rows && rng.below(10) < 8 {
                    let text = edited_copy(&mut rng, narrative);
                    write_post(&mut out, &mut id, member, &text, start + rng.below(31))?;
                }
            }
        } else if roll < 64 {
            // Someone copies a viral text, at any time (~6% of rows).
            let account = rng.skewed(accounts - group_accounts, 3);
            let source = rng.skewed(viral.len() as u64, 2) as usize;
            let text = edited_copy(&mut rng, &viral[source]);
            write_post(&mut out, &mut id, account, &text, rng.below(SPAN))?;
        } else {
            let account = rng.skewed(accounts - group_accounts, 3);
            let text = original_text(&mut rng).join(" ");
            write_post(&mut out, &mut id, account, &text, rng.below(SPAN))?;
        }
    }
    out.flush()
}

/// A 256-bit hash as 64 hex digits, `flips` random bits away from `base`.
fn image_hash(rng: &mut Rng, base: [u64; 4], flips: u64) -> String {
    let mut words = base;
    for _ in 0..flips {
        let bit = rng.below(256);
        words[(bit / 64) as usize] ^= 1 << (bit % 64);
    }
    words.iter().map(|word| format!("{word:016x}")).collect()
}

/// Image posts for co-image benchmarks (see the module documentation).
fn write_images(rows: u64, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    let accounts = (rows / 20).max(10);
    let group_accounts = accounts / 200;
    let groups = coordinated_groups(&mut rng, accounts, group_accounts);
    let random_image = |rng: &mut Rng| [rng.next(), rng.next(), rng.next(), rng.next()];
    let campaigns: Vec<[u64; 4]> = (0..(rows / 2000).max(4))
        .map(|_| random_image(&mut rng))
        .collect();
    let viral: Vec<[u64; 4]> = (0..(rows / 500).max(4))
        .map(|_| random_image(&mut rng))
        .collect();
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    writeln!(out, "message_id,user_id,image_hash,timestamp")?;
    let mut id = 0u64;
    fn post(
        out: &mut impl Write,
        id: &mut u64,
        account: u64,
        hash: &str,
        time: u64,
    ) -> std::io::Result<()> {
        writeln!(out, "{id},u{account},{hash},{time}")?;
        *id += 1;
        Ok(())
    }
    while id < rows {
        let roll = rng.below(1000);
        if !groups.is_empty() && roll < 4 {
            let group = &groups[rng.below(groups.len() as u64) as usize];
            let campaign = campaigns[rng.below(campaigns.len() as u64) as usize];
            let start = rng.below(SPAN);
            for &member in group {
                if id < rows && rng.below(10) < 8 {
                    let flips = rng.below(17);
                    let hash = image_hash(&mut rng, campaign, flips);
                    post(&mut out, &mut id, member, &hash, start + rng.below(31))?;
                }
            }
        } else if roll < 64 {
            let account = rng.skewed(accounts - group_accounts, 3);
            let source = viral[rng.skewed(viral.len() as u64, 2) as usize];
            let flips = rng.below(13);
            let hash = image_hash(&mut rng, source, flips);
            post(&mut out, &mut id, account, &hash, rng.below(SPAN))?;
        } else {
            let account = rng.skewed(accounts - group_accounts, 3);
            let image = random_image(&mut rng);
            post(
                &mut out,
                &mut id,
                account,
                &image_hash(&mut rng, image, 0),
                rng.below(SPAN),
            )?;
        }
    }
    out.flush()
}
