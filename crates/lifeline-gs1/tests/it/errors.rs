//! Error messages: each names the identifier and the part that is wrong.

use lifeline_gs1::{DigitalLink, ElementString, EpcUri, Gs1Error, canonical_digital_link};

fn message(result: Result<impl std::fmt::Debug, Gs1Error>) -> String {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn messages_name_identifier_and_part() {
    let cases: Vec<(String, &str)> = vec![
        (
            message(EpcUri::parse("urn:epc:id:sgtin:40123.0111111.1")),
            "`urn:epc:id:sgtin:40123.0111111.1`: company prefix: length 5 where 6 to 12 is required",
        ),
        (
            message(EpcUri::parse("urn:epc:id:sgtin:4012345.01111.1")),
            "`urn:epc:id:sgtin:4012345.01111.1`: item reference: length 5 where exactly 6 (with a 7-digit company prefix) is required",
        ),
        (
            message(EpcUri::parse("urn:epc:id:sgtin:4012345.011111.a/b")),
            "`urn:epc:id:sgtin:4012345.011111.a/b`: serial: character `/` at position 2 is not allowed (allowed: set 82 with `\"` `%` `&` `/` `<` `>` `?` `#` written as %XX escapes)",
        ),
        (
            message(DigitalLink::parse("https://example.com/01/09506000134353")),
            "`https://example.com/01/09506000134353`: path segment 2 AI (01): check digit `3` is wrong, expected `2`",
        ),
        (
            message(DigitalLink::parse(
                "https://example.com/01/09506000134352/21/A/10/B",
            )),
            "`https://example.com/01/09506000134352/21/A/10/B`: path segment 5: key qualifier AI (10) is out of order\nhint: the order after AI (01) is (22), (10), (21), (235)",
        ),
        (
            message(ElementString::parse("(01)09506000134352(17)260230")),
            "`(01)09506000134352(17)260230`: AI (17): `260230` is not a valid date YYMMDD (DD may be 00)",
        ),
        (
            message(ElementString::parse("(21)ABC")),
            "`(21)ABC`: AI (21): needs AI (01) or (8006) with it",
        ),
        (
            message(canonical_digital_link("urn:epc:id:foo:1.2")),
            "`urn:epc:id:foo:1.2`: scheme: unknown EPC scheme `foo`\nhint: GS1 key schemes: sgtin sscc sgln grai giai gsrn gsrnp gdti cpi sgcn ginc gsin itip upui pgln",
        ),
    ];
    for (got, expected) in cases {
        assert_eq!(got, expected);
    }
}
