//! The store conformance suite against the embedded store, each test on a fresh database folder
//! under cargo's per-target scratch directory.

use std::sync::Arc;
use store_embedded::EmbeddedStore;

async fn fresh() -> Option<Arc<EmbeddedStore>> {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("store-conformance")
        .join(ulid::Ulid::new().to_string());
    Some(Arc::new(EmbeddedStore::open(&path).expect("open store")))
}

store_conformance::conformance_suite!(fresh());
