//! Base and head side by side.
//!
//! A diff does everything twice — parse, analyse, lint — on two independent inputs. Where
//! the platform has threads the two sides run at once; in WebAssembly (no threads in
//! `wasm32-unknown-unknown`) they run one after the other. Either way the result is the same
//! value: nothing here is shared between the two closures.

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

#[cfg(test)]
mod tests {
    #[test]
    fn returns_both_results_in_order() {
        let data = [1, 2, 3];
        let (sum, len) = super::both(|| data.iter().sum::<i32>(), || data.len());
        assert_eq!((sum, len), (6, 3));
    }
}
