//! Property tests: EPC URN -> canonical Digital Link -> EPC URN, element string -> Digital
//! Link -> element string, and no panic on arbitrary input.

use lifeline_gs1::{
    DigitalLink, ElementString, Epc, EpcClass, EpcScheme, EpcUri, canonical_digital_link,
    check_digit, parse_identifier,
};
use proptest::prelude::*;

const CSET82_REGEX: &str = "[!\"%&'()*+,\\-./0-9:;<=>?A-Z_a-z]";

fn digits(length: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, length)
        .prop_map(|d| d.iter().map(|x| char::from(b'0' + x)).collect())
}

fn cset82(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{CSET82_REGEX}{{{min},{max}}}")).unwrap()
}

fn cset39(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[#\\-/0-9A-Z]{{{min},{max}}}")).unwrap()
}

fn numeric_serial() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        proptest::string::string_regex("[1-9][0-9]{0,11}").unwrap()
    ]
}

/// A valid EPC of any GS1 scheme, with its company prefix length.
fn epc() -> impl Strategy<Value = (Epc, usize)> {
    (0usize..15, 6usize..=12).prop_flat_map(|(scheme, gcp)| {
        let prefix = digits(gcp);
        let strategy: BoxedStrategy<Epc> = match scheme {
            0 => (prefix, digits(13 - gcp), cset82(1, 20))
                .prop_map(|(company_prefix, item_reference, serial)| Epc::Sgtin {
                    company_prefix,
                    item_reference,
                    serial,
                })
                .boxed(),
            1 => (prefix, digits(17 - gcp))
                .prop_map(|(company_prefix, serial_reference)| Epc::Sscc {
                    company_prefix,
                    serial_reference,
                })
                .boxed(),
            2 => (prefix, digits(12 - gcp), cset82(1, 20))
                .prop_map(
                    |(company_prefix, location_reference, extension)| Epc::Sgln {
                        company_prefix,
                        location_reference,
                        extension,
                    },
                )
                .boxed(),
            3 => (prefix, digits(12 - gcp), cset82(1, 16))
                .prop_map(|(company_prefix, asset_type, serial)| Epc::Grai {
                    company_prefix,
                    asset_type,
                    serial,
                })
                .boxed(),
            4 => (prefix, cset82(1, 30 - gcp))
                .prop_map(|(company_prefix, asset_reference)| Epc::Giai {
                    company_prefix,
                    asset_reference,
                })
                .boxed(),
            5 => (prefix, digits(17 - gcp))
                .prop_map(|(company_prefix, service_reference)| Epc::Gsrn {
                    company_prefix,
                    service_reference,
                })
                .boxed(),
            6 => (prefix, digits(17 - gcp))
                .prop_map(|(company_prefix, service_reference)| Epc::Gsrnp {
                    company_prefix,
                    service_reference,
                })
                .boxed(),
            7 => (prefix, digits(12 - gcp), cset82(1, 17))
                .prop_map(|(company_prefix, document_type, serial)| Epc::Gdti {
                    company_prefix,
                    document_type,
                    serial,
                })
                .boxed(),
            8 => (prefix, cset39(1, 30 - gcp), numeric_serial())
                .prop_map(|(company_prefix, part_reference, serial)| Epc::Cpi {
                    company_prefix,
                    part_reference,
                    serial,
                })
                .boxed(),
            9 => (
                prefix,
                digits(12 - gcp),
                proptest::string::string_regex("[0-9]{1,12}").unwrap(),
            )
                .prop_map(|(company_prefix, coupon_reference, serial)| Epc::Sgcn {
                    company_prefix,
                    coupon_reference,
                    serial,
                })
                .boxed(),
            10 => (prefix, cset82(1, 30 - gcp))
                .prop_map(|(company_prefix, consignment_reference)| Epc::Ginc {
                    company_prefix,
                    consignment_reference,
                })
                .boxed(),
            11 => (prefix, digits(16 - gcp))
                .prop_map(|(company_prefix, shipper_reference)| Epc::Gsin {
                    company_prefix,
                    shipper_reference,
                })
                .boxed(),
            12 => (
                prefix,
                digits(13 - gcp),
                (1u8..=99).prop_flat_map(|t| (1u8..=t, Just(t))),
                cset82(1, 20),
            )
                .prop_map(
                    |(company_prefix, item_reference, (piece, total), serial)| Epc::Itip {
                        company_prefix,
                        item_reference,
                        piece: format!("{piece:02}"),
                        total: format!("{total:02}"),
                        serial,
                    },
                )
                .boxed(),
            13 => (prefix, digits(13 - gcp), cset82(1, 28))
                .prop_map(|(company_prefix, item_reference, tpx)| Epc::Upui {
                    company_prefix,
                    item_reference,
                    tpx,
                })
                .boxed(),
            _ => (prefix, digits(12 - gcp))
                .prop_map(|(company_prefix, party_reference)| Epc::Pgln {
                    company_prefix,
                    party_reference,
                })
                .boxed(),
        };
        (strategy, Just(gcp))
    })
}

/// A valid class: an LGTIN or a product-class pattern.
fn class() -> impl Strategy<Value = (EpcClass, usize)> {
    (0usize..4, 6usize..=12).prop_flat_map(|(kind, gcp)| {
        let prefix = digits(gcp);
        let strategy: BoxedStrategy<EpcClass> = match kind {
            0 => (prefix, digits(13 - gcp), cset82(1, 20))
                .prop_map(|(company_prefix, item_reference, lot)| EpcClass::Lgtin {
                    company_prefix,
                    item_reference,
                    lot,
                })
                .boxed(),
            1 => (prefix, digits(13 - gcp))
                .prop_map(|(company_prefix, item)| EpcClass::Pattern {
                    scheme: EpcScheme::Sgtin,
                    company_prefix,
                    fields: vec![item],
                })
                .boxed(),
            2 => (prefix, digits(12 - gcp))
                .prop_map(|(company_prefix, asset)| EpcClass::Pattern {
                    scheme: EpcScheme::Grai,
                    company_prefix,
                    fields: vec![asset],
                })
                .boxed(),
            _ => (prefix, cset39(1, 30 - gcp))
                .prop_map(|(company_prefix, part)| EpcClass::Pattern {
                    scheme: EpcScheme::Cpi,
                    company_prefix,
                    fields: vec![part],
                })
                .boxed(),
        };
        (strategy, Just(gcp))
    })
}

fn with_check(body: &str) -> String {
    format!("{body}{}", check_digit(body).unwrap())
}

fn valid_date() -> impl Strategy<Value = String> {
    (0u32..100, 1u32..=12, 0u32..=28).prop_map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"))
}

/// A valid element string in Digital Link order: key, its qualifiers, then attributes.
fn element_string() -> impl Strategy<Value = ElementString> {
    let gtin = digits(13).prop_map(|d| with_check(&d));
    let gln = digits(12).prop_map(|d| with_check(&d));
    let attributes = || {
        (
            proptest::option::of(valid_date()),
            proptest::option::of(valid_date()),
            proptest::option::of(1u32..100_000),
        )
    };
    prop_oneof![
        (
            gtin,
            proptest::option::of(cset82(1, 20)),
            proptest::option::of(cset82(1, 20)),
            proptest::option::of(cset82(1, 20))
        )
            .prop_map(|(gtin, cpv, lot, serial)| {
                let mut list = vec![("01", gtin)];
                list.extend(cpv.map(|v| ("22", v)));
                list.extend(lot.map(|v| ("10", v)));
                list.extend(serial.map(|v| ("21", v)));
                list
            }),
        (gln, proptest::option::of(cset82(1, 20))).prop_map(|(gln, extension)| {
            let mut list = vec![("414", gln)];
            list.extend(extension.map(|v| ("254", v)));
            list
        }),
        digits(17).prop_map(|d| vec![("00", with_check(&d))]),
        (
            digits(7),
            cset39(1, 23),
            proptest::option::of(numeric_serial())
        )
            .prop_map(|(prefix, part, serial)| {
                let mut list = vec![("8010", format!("{prefix}{part}"))];
                list.extend(serial.map(|v| ("8011", v)));
                list
            }),
        (digits(6), cset82(1, 24))
            .prop_map(|(prefix, reference)| vec![("8004", format!("{prefix}{reference}"))]),
    ]
    .prop_flat_map(move |key| (Just(key), attributes()))
    .prop_map(|(key, (expiry, production, count))| {
        let mut elements: Vec<(String, String)> =
            key.into_iter().map(|(a, v)| (a.to_owned(), v)).collect();
        elements.extend(expiry.map(|v| ("17".to_owned(), v)));
        elements.extend(production.map(|v| ("11".to_owned(), v)));
        elements.extend(count.map(|v| ("37".to_owned(), v.to_string())));
        ElementString {
            elements: elements
                .into_iter()
                .map(|(ai, value)| lifeline_gs1::Element { ai, value })
                .collect(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn epc_urn_to_digital_link_and_back((epc, gcp) in epc()) {
        let urn = epc.to_string();
        let parsed = EpcUri::parse(&urn).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&parsed, &EpcUri::Id(epc.clone()));
        let link = canonical_digital_link(&urn).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let link = link.ok_or_else(|| TestCaseError::fail("no Digital Link"))?;
        let read = DigitalLink::parse(&link).map_err(|e| TestCaseError::fail(format!("{link}: {e}")))?;
        prop_assert_eq!(read.to_constrained_canonical(), link.clone());
        let back = EpcUri::from_element_string(&read.to_element_string(), gcp)
            .map_err(|e| TestCaseError::fail(format!("{link}: {e}")))?;
        prop_assert_eq!(back.to_string(), urn);
        prop_assert_eq!(back, EpcUri::Id(epc.clone()));
        prop_assert_eq!(epc.scheme().reference_digits(gcp).is_some(), !matches!(epc.scheme(), EpcScheme::Giai | EpcScheme::Ginc | EpcScheme::Cpi));
    }

    #[test]
    fn epc_class_to_digital_link_and_back((class, gcp) in class()) {
        let urn = class.to_string();
        let link = canonical_digital_link(&urn).map_err(|e| TestCaseError::fail(format!("{urn}: {e}")))?;
        let link = link.ok_or_else(|| TestCaseError::fail("no Digital Link"))?;
        let read = DigitalLink::parse(&link).map_err(|e| TestCaseError::fail(format!("{link}: {e}")))?;
        let back = EpcUri::from_element_string(&read.to_element_string(), gcp)
            .map_err(|e| TestCaseError::fail(format!("{link}: {e}")))?;
        prop_assert_eq!(back.to_string(), urn);
    }

    #[test]
    fn element_string_to_digital_link_and_back(elements in element_string()) {
        let link = DigitalLink::from_element_string(&elements).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let uri = link.to_canonical_uri();
        let read = DigitalLink::parse(&uri).map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?;
        prop_assert_eq!(read.to_element_string(), elements.clone());
        // Also on another domain with a path prefix.
        let elsewhere = format!("https://example.com/products{}", &uri["https://id.gs1.org".len()..]);
        let read = DigitalLink::parse(&elsewhere).map_err(|e| TestCaseError::fail(format!("{elsewhere}: {e}")))?;
        prop_assert_eq!(read.to_element_string(), elements.clone());
        // And both element-string forms.
        prop_assert_eq!(ElementString::parse(&elements.to_bracketed()).map_err(|e| TestCaseError::fail(e.to_string()))?, elements.clone());
        prop_assert_eq!(ElementString::parse(&elements.to_unbracketed()).map_err(|e| TestCaseError::fail(e.to_string()))?, elements);
    }

    #[test]
    fn parsing_never_panics(
        prefix in prop_oneof![
            Just(""), Just("urn:epc:id:sgtin:"), Just("urn:epc:id:itip:"), Just("urn:epc:idpat:sgtin:"),
            Just("urn:epc:class:lgtin:"), Just("https://id.gs1.org/01/"), Just("http://x/8006/"), Just("(01)"),
            Just("]d201"), Just("https://e.com/gtin/"), Just("urn:epc:id:cpi:"),
        ],
        body in ".{0,60}",
    ) {
        let input = format!("{prefix}{body}");
        let _ = canonical_digital_link(&input);
        let _ = parse_identifier(&input);
        let _ = ElementString::parse(&input);
        let _ = DigitalLink::parse(&input);
        let _ = EpcUri::parse(&input);
    }
}
