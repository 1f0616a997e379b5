//! Independent work at once, where the platform has threads.
//!
//! A diff does everything twice — parse, analyse, lint — on two independent inputs
//! ([`both`]), and reading documents is independent per document ([`map`]). Where the
//! platform has threads the work is spread over them; in WebAssembly (no threads in
//! `wasm32-unknown-unknown`) it runs in order on the caller's thread. Either way the result
//! is the same value: nothing here is shared between the pieces of work.

/// Runs `a` and `b`, concurrently where threads exist, and returns both results.
pub fn both<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(not(target_family = "wasm"))]
    {
        std::thread::scope(|scope| {
            let second = scope.spawn(b);
            let first = a();
            // A panic in `b` is a bug like any other: surface it on this thread.
            let second = second.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (first, second)
        })
    }
    #[cfg(target_family = "wasm")]
    {
        (a(), b())
    }
}

/// Items a thread takes at a time in [`map`]: few enough to balance uneven items, enough
/// to keep the shared counter out of the way.
#[cfg(not(target_family = "wasm"))]
const CHUNK: usize = 8;

/// `items.iter().map(f).collect()`, with the items spread over the available cores.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    #[cfg(not(target_family = "wasm"))]
    {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let threads = cores.min(8).min(items.len().div_ceil(4 * CHUNK));
        if threads <= 1 {
            return items.iter().map(f).collect();
        }
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                if start >= items.len() {
                    return done;
                }
                let end = (start + CHUNK).min(items.len());
                done.extend((start..end).map(|i| (i, f(&items[i]))));
            }
        };
        let mut done = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut done = work();
            for helper in helpers {
                done.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            }
            done
        });
        done.sort_unstable_by_key(|&(i, _)| i);
        done.into_iter().map(|(_, result)| result).collect()
    }
    #[cfg(target_family = "wasm")]
    {
        items.iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn map_keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        let squares = super::map(&items, |&i| i * i);
        assert_eq!(squares, items.iter().map(|&i| i * i).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |_| 0).is_empty());
        assert_eq!(super::map(&[7], |&i| i + 1), [8]);
    }

    #[test]
    fn returns_both_results_in_order() {
        let data = [1, 2, 3];
        let (sum, len) = super::both(|| data.iter().sum::<i32>(), || data.len());
        assert_eq!((sum, len), (6, 3));
    }
}
