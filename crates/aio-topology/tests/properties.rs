//! Any input either loads or gives located errors: never a panic, never an
//! error without a place in the file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;

const REFERENCE: &str = include_str!("../../../examples/openstack-aio.toml");

fn check(text: &str) -> Result<(), TestCaseError> {
    if let Err(d) = aio_topology::parse_str("p.toml", text) {
        prop_assert!(!d.items.is_empty());
        for item in &d.items {
            prop_assert!(
                item.span.start <= text.len() && item.span.end <= text.len().max(item.span.start)
            );
        }
        let shown = d.to_string();
        prop_assert!(shown.contains("p.toml:"), "{}", shown);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn any_text_loads_or_gives_located_errors(text in "[\\PC\n\"\\[\\]=.#]{0,300}") {
        check(&text)?;
    }

    #[test]
    fn the_reference_cut_or_spliced_anywhere_loads_or_gives_located_errors(
        at in 0usize..REFERENCE.len(),
        len in 0usize..40,
        insert in "[a-z0-9\"\\[\\]=.,{}# \n-]{0,12}",
    ) {
        let mut text = REFERENCE.to_string();
        let start = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let end = (start + len).min(text.len());
        let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
        text.replace_range(start..end, &insert);
        check(&text)?;
    }
}
