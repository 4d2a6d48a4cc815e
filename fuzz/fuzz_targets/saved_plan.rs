//! Any bytes either parse as a saved plan or are refused; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(saved) = aio_host::SavedPlan::parse(data) {
        let _ = aio_host::saved::differences(&saved.plan, &saved.plan);
        let _ = aio::render::plan::text(&saved.plan);
        let _ = aio::render::plan::elided(&saved.plan);
        let _ = serde_json::to_value(&saved.plan);
    }
});
