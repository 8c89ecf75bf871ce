//! Fuzz target for the GS1 identifier readers: any text, read as an EPC URI, a Digital Link,
//! an element string and through `canonical_digital_link`, must give a value or an error,
//! never a panic; and what is read must survive its own round trips: the canonical Digital
//! Link is a fixed point, a parsed EPC URI writes back to a URI that parses to the same
//! value, and a parsed element string reads back from both of its written forms.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeline_gs1::{DigitalLink, ElementString, EpcUri, canonical_digital_link, parse_identifier};

fuzz_target!(|data: &[u8]| {
    // A first byte below 5 picks a prefix that leads the fuzzer into one reader quickly.
    let prefixes = ["urn:epc:id:sgtin:", "urn:epc:idpat:", "https://id.gs1.org/01/", "(01)", "urn:epc:id:"];
    let input = match data.first() {
        Some(&first) if usize::from(first) < prefixes.len() => {
            format!("{}{}", prefixes[usize::from(first)], String::from_utf8_lossy(&data[1..]))
        }
        _ => String::from_utf8_lossy(data).into_owned(),
    };

    match canonical_digital_link(&input) {
        Ok(Some(link)) => {
            assert_eq!(canonical_digital_link(&link), Ok(Some(link.clone())), "not a fixed point: {input}");
        }
        Ok(None) => {}
        Err(error) => {
            let _ = (error.to_string(), error.part().len());
        }
    }
    if let Ok(epc) = EpcUri::parse(&input) {
        let written = epc.to_string();
        assert_eq!(EpcUri::parse(&written).as_ref(), Ok(&epc), "EPC does not write back: {input}");
    }
    if let Ok(elements) = ElementString::parse(&input) {
        assert_eq!(ElementString::parse(&elements.to_bracketed()).as_ref(), Ok(&elements));
        assert_eq!(ElementString::parse(&elements.to_unbracketed()).as_ref(), Ok(&elements));
        if let Ok(link) = DigitalLink::from_element_string(&elements) {
            let _ = link.to_constrained_canonical();
        }
    }
    if let Ok(link) = DigitalLink::parse(&input) {
        let uri = link.to_canonical_uri();
        assert!(DigitalLink::parse(&uri).is_ok(), "canonical form does not parse: {uri}");
    }
    let _ = parse_identifier(&input);
});
