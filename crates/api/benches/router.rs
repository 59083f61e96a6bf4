//! The api router in process, on the embedded store (as the local server runs it, minus the
//! network): sequential authenticated event reads and ticks, each a fresh request through every
//! layer (auth, member check, allowlist, store). Prints requests per second and p50/p99 per request.
//! `cargo bench -p api --bench router` (part of `make bench`); figures, not assertions.

#[path = "../tests/common/mod.rs"]
mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::json;
use std::time::{Duration, Instant};

const N: usize = 2_000;

fn report(name: &str, mut took: Vec<Duration>) {
    took.sort();
    let total: Duration = took.iter().sum();
    let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
    println!(
        "{name:<12} {:>6} {:>10.0} {:>9.1} {:>9.1}",
        took.len(),
        took.len() as f64 / total.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let app = TestApp::embedded().await;
        let event = app.event("jada", 3).await;
        let token = app.token("deck@jada.example.com", "jada").await;
        let path = format!("/api/events/{}", event.id);
        let mut reads = Vec::with_capacity(N);
        for _ in 0..N {
            let started = Instant::now();
            let got = app.call(Method::GET, &path, Some(&token), None, &[]).await;
            reads.push(started.elapsed());
            assert_eq!(got.status, 200, "{}", got.json);
        }
        let mut ticks = Vec::with_capacity(N);
        for i in 0..N {
            let body = json!({"done": i % 2 == 0, "op_id": format!("bench-tick-{i:08}"), "at": "2026-07-01T15:59:00Z"});
            let started = Instant::now();
            let got = app
                .call(Method::PUT, &format!("{path}/tasks/float_plan"), Some(&token), Some(body), &[])
                .await;
            ticks.push(started.elapsed());
            assert_eq!(got.status, 200, "{}", got.json);
        }
        println!(
            "\napi router in process, embedded store, one request at a time ({}, {} cores); times in µs.",
            std::env::consts::ARCH,
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        println!("{:<12} {:>6} {:>10} {:>9} {:>9}", "request", "n", "req/s", "p50", "p99");
        report("event read", reads);
        report("tick", ticks);
    });
}
