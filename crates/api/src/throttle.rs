//! A per-address limit on how often something may be done, in fixed windows, held in
//! memory (each server instance counts its own).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Throttle {
    limit: u32,
    window: Duration,
    seen: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

impl Throttle {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            seen: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Counts one more from `address`: `Ok` while within the limit, else how long to
    /// wait, in whole seconds.
    pub fn admit(&self, address: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(address).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

impl Throttle {
    /// Gives back one admission from `address`, for something that was refused anyway.
    pub fn refund(&self, address: IpAddr) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(entry) = seen.get_mut(&address) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_held_to_its_limit_and_others_are_not() {
        let throttle = Throttle::new(2, Duration::from_secs(60));
        let one: IpAddr = "127.0.0.1".parse().expect("an address");
        let two: IpAddr = "127.0.0.2".parse().expect("an address");
        assert!(throttle.admit(one).is_ok());
        assert!(throttle.admit(one).is_ok());
        let wait = throttle.admit(one).expect_err("over the limit");
        assert!((1..=60).contains(&wait));
        assert!(throttle.admit(two).is_ok());
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let throttle = Throttle::new(1, Duration::from_millis(20));
        let one: IpAddr = "10.0.0.1".parse().expect("an address");
        assert!(throttle.admit(one).is_ok());
        assert!(throttle.admit(one).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(throttle.admit(one).is_ok());
    }
}
