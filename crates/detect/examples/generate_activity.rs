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

fn main() -> std::io::Result<()> {
    let rows: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_240_601);
    let mut rng = Rng(seed);
    let accounts = (rows / 20).max(10);
    let posts = (rows / 5).max(10);
    let links = (rows / 5).max(10);
    let post_birth: Vec<u64> = (0..posts).map(|_| rng.below(SPAN)).collect();
    let link_birth: Vec<u64> = (0..links).map(|_| rng.below(SPAN)).collect();
    // Coordinated groups: 1 account in 500 belongs to one, 5 to 30 members.
    let group_accounts = accounts / 500;
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
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    writeln!(
        out,
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls"
    )?;
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
