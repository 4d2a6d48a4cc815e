//! Any byte stream, cut anywhere, gives messages or an error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cut = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let mut decoder = aio_ovsdb::Decoder::new();
    for part in [&data[..cut], &data[cut..]] {
        if decoder.decode(part).is_err() {
            return;
        }
    }
    let _ = decoder.is_mid_message();
});
