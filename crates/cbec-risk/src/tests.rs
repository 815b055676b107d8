//! The engine's tests: rule file validation, conditions, warnings,
//! determinism, the statistics of random selection and dry runs.

use cbec_model::filing::CreditRating;
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::view::value_per_kg;
use crate::*;

#[path = "../benches/support/generate.rs"]
mod generate;

const SHIPPED: &str = include_str!("../data/rules.toml");

/// Three lines; a rule that follows starts at line 4. Random selection is
/// off (rates 0), so every list nothing selects is green.
const HEAD: &str = "version = \"t1\"\n[rates]\nminimum_random_inspection = 0\n";

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn party(role: PartyRole, code: &str, credit: Option<CreditRating>) -> Party {
    let kind = match role {
        PartyRole::Ebp => "ebp",
        PartyRole::Ebc => "ebc",
        PartyRole::Logistics => "logistics",
        PartyRole::Payment => "pay",
        PartyRole::Agent => "agent",
    };
    Party { role, code: code.into(), types: vec![kind.into()], credit, filed_days: Some(400), violations: 0 }
}

fn item(gnum: i32, hs: &str, name: &str, origin: &str) -> Item {
    Item {
        gnum,
        hs_code: hs.into(),
        name: name.into(),
        brand: String::new(),
        origin_country: origin.into(),
        qty: Decimal::ONE,
        unit: "007".into(),
        unit_price: Decimal::from(100),
        total_price: Decimal::from(100),
    }
}

fn subject(key: &str, items: Vec<Item>) -> Subject {
    let total_value = items.iter().map(|i| i.total_price).sum();
    Subject {
        key: key.into(),
        direction: Direction::Import,
        trade_mode: "9610".into(),
        customs_code: "2244".into(),
        port_code: "2244".into(),
        country: "116".into(),
        traf_mode: "5".into(),
        total_value,
        net_weight: None,
        parties: vec![
            party(PartyRole::Ebp, "3301960001", Some(CreditRating::General)),
            party(PartyRole::Ebc, "3301964J31", Some(CreditRating::General)),
            party(PartyRole::Logistics, "3301980002", None),
        ],
        items,
        buyer_id: "110101199003074514".into(),
        consignee_address: "浙江省杭州市西湖区文三路 100 号".into(),
    }
}

#[test]
fn conditions_on_the_three_orders() {
    let e = engine(&[
        ("B", "hold", "buyer_id = [\"110101199003074514\"]"),
        ("C", "yellow", "consignee_keyword = [\"文三路\"]"),
        ("N", "red", "buyer_id = \"110101199001011234\""),
    ]);
    let mut s = plain("k");
    assert_eq!(fired(&e, &s), ["B", "C"]);
    s.consignee_address = "上海市浦东新区".into();
    s.buyer_id = "110101199001011234".into();
    assert_eq!(fired(&e, &s), ["N"]);
    let bad = RuleSet::parse(&format!(
        "{HEAD}\n[[rule]]\nid = \"X\"\ndescription = \"x\"\nlane = \"red\"\n[rule.when]\nbuyer_id = \"1-2\"\n"
    ));
    assert!(bad.unwrap_err().errors[0].reason.contains("buyer_id"));
}

fn plain(key: &str) -> Subject {
    subject(key, vec![item(1, "6109100021", "T-shirt", "502")])
}

/// A rule file of `HEAD` and rules written as `(id, lane, when-lines)`.
fn rules(list: &[(&str, &str, &str)]) -> RuleSet {
    let mut text = HEAD.to_owned();
    for (id, lane, when) in list {
        text.push_str(&format!(
            "[[rule]]\nid = \"{id}\"\ndescription = \"test\"\nlane = \"{lane}\"\n[rule.when]\n{when}\n"
        ));
    }
    match RuleSet::parse(&text) {
        Ok(r) => r,
        Err(e) => panic!("{e}\n{text}"),
    }
}

fn engine(list: &[(&str, &str, &str)]) -> Engine {
    Engine::new(rules(list))
}

fn fired(engine: &Engine, s: &Subject) -> Vec<String> {
    engine.evaluate(s, &Warnings::none(), 1).fired.into_iter().map(|f| f.rule_id).collect()
}

// ---------------------------------------------------------------------------
// Rule files: what is accepted, what is refused and where.

#[test]
fn shipped_rule_file_parses() {
    let rules = RuleSet::parse(SHIPPED).unwrap();
    assert_eq!(rules.version(), "2026.11-1");
    assert_eq!(rules.rules().len(), 18);
    assert_eq!(rules.rules()[0].id, "R-0001");
    assert_eq!(rules.rules()[0].line, 19);
    assert_eq!(rules.rules()[4].rate, 0.2);
    let e = Engine::new(rules);
    let formula = subject("L1", vec![item(1, "1901101000", "Infant FORMULA stage 1", "116")]);
    assert_eq!(fired(&e, &formula), ["R-0001", "R-0002"]);
    assert_eq!(e.evaluate(&formula, &Warnings::none(), 1).lane, Lane::Red);
    let meat = subject("L2", vec![item(1, "0201300000", "Wagyu beef", "601")]);
    assert_eq!(e.evaluate(&meat, &Warnings::none(), 1).lane, Lane::Hold);
}

#[test]
fn engine_and_indexes_can_be_shared_between_threads() {
    fn shared<T: Send + Sync + Clone>() {}
    shared::<Engine>();
    shared::<Warnings>();
    shared::<RuleSet>();
}

#[test]
fn minimal_file_takes_defaults() {
    let r = rules(&[("R-1", "red", "hs_prefix = \"1901\"")]);
    assert_eq!(r.rules()[0].rate, 1.0);
    assert_eq!(r.rates().yellow, 0.0);
    assert_eq!(r.rates().credit, CreditRates::default());
    assert_eq!(r.rules()[0].when.hs_prefix, ["1901"]);
    assert_eq!(r.rules()[0].line, 4);
    let r = RuleSet::parse("version = \"v\"\n[rates]\nminimum_random_inspection = 1\n").unwrap();
    assert!(r.rules().is_empty());
}

#[test]
fn ruleset_serializes_to_json() {
    let r = RuleSet::parse(SHIPPED).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["version"], "2026.11-1");
    assert_eq!(json["rates"]["credit"]["dishonest"], 0.3);
    assert_eq!(json["rules"][0]["lane"], "red");
    assert_eq!(json["rules"][0]["when"]["hs_prefix"][0], "190110");
    assert_eq!(json["rules"][0]["when"]["direction"], "import");
    assert_eq!(json["rules"][4]["when"]["unit_value_above"], "500");
    assert!(json["rules"][0]["when"].get("brand").is_none(), "empty conditions are left out");
}

fn errors(text: &str) -> Vec<RuleError> {
    match RuleSet::parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.errors,
    }
}

/// Asserts that `text` is refused with an error at `line`:`column` whose
/// reason contains `reason`.
#[track_caller]
fn check(text: &str, line: usize, column: usize, reason: &str) {
    let errors = errors(text);
    assert!(
        errors.iter().any(|e| e.line == line && e.column == column && e.reason.contains(reason)),
        "wanted {line}:{column} {reason:?}, got {errors:#?}\n{text}"
    );
}

/// A file whose only rule has `when` (starting at line 9) as its conditions.
fn when(lines: &str) -> String {
    format!("{HEAD}[[rule]]\nid = \"R-1\"\ndescription = \"x\"\nlane = \"red\"\n[rule.when]\n{lines}\n")
}

#[test]
fn condition_errors_name_line_column_and_reason() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("hs_prefix = \"19x1\"", 9, 13, "hs_prefix \"19x1\" must be 2 to 10 digits"),
        ("hs_prefix = \"1\"", 9, 13, "hs_prefix \"1\" must be 2 to 10 digits"),
        ("hs_prefx = \"1901\"", 9, 1, "unknown key \"hs_prefx\" in [rule.when] (did you mean \"hs_prefix\"?)"),
        ("colour = \"red\"", 9, 1, "unknown key \"colour\" in [rule.when] (known: direction, trade_mode"),
        ("hs_prefix = [\"1901\", 3]", 9, 22, "hs_prefix must hold strings, found integer"),
        ("hs_prefix = []", 9, 13, "hs_prefix is empty"),
        ("hs_prefix = 1901", 9, 13, "hs_prefix must be a string or an array of strings, found integer"),
        ("unit_value_above = \"abc\"", 9, 20, "unit_value_above \"abc\" is not a decimal number"),
        ("unit_value_above = -5", 9, 20, "unit_value_above -5 must not be negative"),
        ("unit_value_above = true", 9, 20, "unit_value_above must be a decimal"),
        ("direction = \"inbound\"", 9, 13, "unknown direction \"inbound\" (use import or export)"),
        ("route = \"elsewhere\"", 9, 9, "unknown route \"elsewhere\" (use same_port or other_port)"),
        (
            "seller_credit = [\"gold\"]",
            9,
            18,
            "unknown seller_credit \"gold\" (use advanced, general_certified, general or dishonest)",
        ),
        ("enterprise_type = \"shop\"", 9, 19, "unknown enterprise_type \"shop\" (use ebc, agent"),
        ("enterprise = \"123\"", 9, 14, "enterprise \"123\" must be a 10-character customs code"),
        ("origin_country = \"JP\"", 9, 18, "origin_country \"JP\" must be 3 digits"),
        ("trade_mode = \"961\"", 9, 14, "trade_mode \"961\" must be 4 digits"),
        ("customs_code = \"22440\"", 9, 16, "customs_code \"22440\" must be 4 digits"),
        ("traf_mode = \"air\"", 9, 13, "traf_mode \"air\" must be one letter or digit"),
        ("filed_days_below = \"90\"", 9, 20, "filed_days_below must be a whole number, found string"),
        ("violations_at_least = -1", 9, 23, "violations_at_least -1 out of range"),
        // Columns count characters, not bytes.
        ("name_keyword = [\"奶粉\", \" \"]", 9, 23, "name_keyword holds an empty word"),
        (
            "unit_value_above = 100\nunit_value_below = 50",
            10,
            20,
            "unit_value_below 50 is not above unit_value_above 100",
        ),
    ];
    for (lines, line, column, reason) in cases {
        check(&when(lines), *line, *column, reason);
    }
}

#[test]
fn rule_errors_name_line_column_and_reason() {
    let rule = |body: &str| format!("{HEAD}[[rule]]\n{body}");
    let std = "id = \"R-1\"\ndescription = \"x\"\n";
    check(
        &rule(&format!("{std}lane = \"blue\"\n[rule.when]\nhs_prefix = \"1901\"\n")),
        7,
        8,
        "unknown lane \"blue\" (use green, yellow, red or hold)",
    );
    check(&rule(&format!("{std}lane = 3\n[rule.when]\nhs_prefix = \"1901\"\n")), 7, 8, "lane must be a string");
    check(
        &rule(&format!("{std}lane = \"red\"\nrate = 1.5\n[rule.when]\nhs_prefix = \"1901\"\n")),
        8,
        8,
        "rate 1.5 out of range 0..=1",
    );
    check(
        &rule(&format!("{std}lanes = \"red\"\n[rule.when]\nhs_prefix = \"1901\"\n")),
        7,
        1,
        "unknown key \"lanes\" in [[rule]] (did you mean \"lane\"?)",
    );
    check(&rule(&format!("{std}lane = \"red\"\n")), 4, 1, "missing table [rule.when]");
    check(&rule(&format!("{std}lane = \"red\"\n[rule.when]\n")), 8, 1, "[rule.when] is empty");
    check(
        &rule("id = \"R-1\"\nlane = \"red\"\n[rule.when]\nhs_prefix = \"19\"\n"),
        4,
        1,
        "missing key \"description\"",
    );
    check(
        &rule("id = \"R 1\"\ndescription = \"x\"\nlane = \"red\"\n[rule.when]\nhs_prefix = \"19\"\n"),
        5,
        6,
        "id \"R 1\" must be 1 to 64 letters",
    );
    let twice = format!(
        "{HEAD}[[rule]]\n{std}lane = \"red\"\n[rule.when]\nhs_prefix = \"19\"\n\
         [[rule]]\n{std}lane = \"red\"\n[rule.when]\nhs_prefix = \"20\"\n"
    );
    check(&twice, 11, 6, "duplicate rule id \"R-1\" (first at line 4)");
    check(
        &format!("{HEAD}[rule]\n{std}lane = \"red\"\n"),
        4,
        1,
        "rule must be an array of tables: write [[rule]] (two brackets) for each rule",
    );
}

#[test]
fn file_errors_name_line_column_and_reason() {
    check("[rates]\nminimum_random_inspection = 0.01\n", 1, 1, "missing key \"version\"");
    check("version = \"v\"\n", 1, 1, "missing table [rates]");
    check("version = \"\"\n[rates]\nminimum_random_inspection = 0\n", 1, 11, "version is empty");
    check(&format!("rulez = 1\n{HEAD}"), 1, 1, "unknown key \"rulez\" at the top level (did you mean \"rule\"?)");
    check("version = \"v\"\n[rates]\nyellow = 0.1\n", 2, 1, "missing key \"minimum_random_inspection\" in [rates]");
    check(&format!("{HEAD}yellow = 2\n"), 4, 10, "rates.yellow 2 out of range 0..=1");
    check(&format!("{HEAD}yellow = \"0.1\"\n"), 4, 10, "rates.yellow must be a number between 0 and 1, found string");
    check(
        &format!("{HEAD}[rates.credit]\ngold = 0.1\n"),
        5,
        1,
        "unknown credit rating \"gold\" in [rates.credit] (use advanced, general_certified, general or dishonest)",
    );
    check(
        "version = \"v\"\n[rates]\nminimum_random_inspection = 0.01\nyellow = 0.03\n[rates.credit]\ndishonest = 0.99\n",
        6,
        13,
        "rates.credit.dishonest 0.99 plus rates.yellow 0.03 exceed 1",
    );
    check(
        "version = \"v\"\n[rates]\nminimum_random_inspection = 0.5\nyellow = 0.6\n",
        4,
        10,
        "rates.minimum_random_inspection 0.5 plus rates.yellow 0.6 exceed 1",
    );
}

#[test]
fn toml_syntax_errors_give_the_parser_line() {
    let unclosed = errors(&format!("{HEAD}[[rule]]\nid = \"R-1\ndescription = \"x\"\n"));
    assert_eq!(unclosed.len(), 1, "{unclosed:?}");
    assert_eq!(unclosed[0].line, 5);
    assert!(unclosed[0].reason.starts_with("TOML syntax: "), "{:?}", unclosed[0]);
    let twice = errors("version = \"a\"\nversion = \"b\"\n");
    assert_eq!((twice[0].line, twice[0].column), (2, 1), "{twice:?}");
    assert!(twice[0].reason.contains("duplicate key"), "{twice:?}");
}

#[test]
fn all_semantic_errors_are_reported_in_file_order() {
    let text = format!(
        "{HEAD}yellow = 7\n\
         [[rule]]\nid = \"R-1\"\ndescription = \"x\"\nlane = \"blue\"\n[rule.when]\nhs_prefix = \"19x1\"\n\
         [[rule]]\nid = \"R-1\"\ndescription = \"y\"\nlane = \"red\"\nrate = 1.5\n[rule.when]\nhs_prefx = \"19\"\n"
    );
    let errors = errors(&text);
    let at: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.reason.as_str())).collect();
    assert_eq!(errors.len(), 6, "{at:#?}");
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 8, 10, 12, 15, 17], "{at:#?}");
    let error = RuleSet::parse(&text).unwrap_err();
    let shown = error.to_string();
    assert!(shown.starts_with("rule file refused (6 errors): line 4, column 10: rates.yellow 7"), "{shown}");
    let _: &dyn std::error::Error = &error;
}

// ---------------------------------------------------------------------------
// Conditions.

#[test]
fn item_conditions_must_hold_on_the_same_item() {
    let e = engine(&[("R-1", "red", "hs_prefix = \"1901\"\norigin_country = \"116\"")]);
    let apart = subject("L1", vec![item(1, "1901101000", "formula", "840"), item(2, "3304990099", "cream", "116")]);
    assert!(fired(&e, &apart).is_empty());
    let together = subject("L2", vec![item(1, "3304990099", "cream", "840"), item(2, "1901101000", "formula", "116")]);
    let d = e.evaluate(&together, &Warnings::none(), 1);
    assert_eq!(d.lane, Lane::Red);
    assert_eq!(
        d.fired,
        [Fired {
            rule_id: "R-1".into(),
            lane: Lane::Red,
            reason: "item 2 hs 1901101000 matches hs_prefix 1901; origin 116".into()
        }]
    );
    assert_eq!(d.random, None);
}

#[test]
fn value_per_kg_by_unit_then_list_weight() {
    let mut kg = item(1, "3304990099", "cream", "116");
    (kg.unit, kg.qty, kg.total_price) = ("035".into(), dec("2"), dec("2500"));
    let mut g = item(2, "3304990099", "cream", "116");
    (g.unit, g.qty, g.total_price) = ("036".into(), dec("300"), dec("400"));
    let mut piece = item(3, "3304990099", "cream", "116");
    piece.total_price = dec("3000");
    let mut s = subject("L1", vec![kg.clone(), g.clone(), piece.clone()]);
    s.total_value = dec("3000");
    assert_eq!(value_per_kg(&kg, &s), Some(dec("1250")));
    assert_eq!(value_per_kg(&g, &s).map(|v| v.round_dp(2)), Some(dec("1333.33")));
    assert_eq!(value_per_kg(&piece, &s), None, "no unit weight and no net weight");
    s.net_weight = Some(Decimal::ZERO);
    assert_eq!(value_per_kg(&piece, &s), None);
    s.net_weight = Some(dec("2"));
    assert_eq!(value_per_kg(&piece, &s), Some(dec("1500")));
    let mut zero = kg.clone();
    zero.qty = Decimal::ZERO;
    assert_eq!(value_per_kg(&zero, &s), Some(dec("1500")), "kg with no quantity falls back to the list");

    let e = engine(&[("R-1", "red", "value_per_kg_above = 1300"), ("R-2", "yellow", "value_per_kg_below = \"1000\"")]);
    let one = |it: Item, weight: Option<&str>| {
        let mut s = subject("L", vec![it]);
        s.total_value = dec("3000");
        s.net_weight = weight.map(dec);
        fired(&e, &s)
    };
    assert!(one(kg.clone(), None).is_empty(), "1250/kg is neither above 1300 nor below 1000");
    assert_eq!(one(g.clone(), None), ["R-1"]);
    assert_eq!(one(piece.clone(), Some("2")), ["R-1"]);
    assert_eq!(one(piece.clone(), Some("4")), ["R-2"]);
    assert!(one(piece, None).is_empty(), "unknown value per kg: no condition holds");
    let e = engine(&[("R-1", "red", "value_per_kg_above = 1300")]);
    let d = e.evaluate(&subject("L", vec![g]), &Warnings::none(), 1);
    assert_eq!(d.fired[0].reason, "item 2; value/kg 1333.33 > 1300");
}

#[test]
fn route_compares_customs_districts() {
    let e = engine(&[("SAME", "yellow", "route = \"same_port\""), ("OTHER", "red", "route = \"other_port\"")]);
    let at = |customs: &str, port: &str| {
        let mut s = plain("L");
        (s.customs_code, s.port_code) = (customs.into(), port.into());
        fired(&e, &s)
    };
    assert_eq!(at("2244", "2201"), ["SAME"]);
    assert_eq!(at("2244", "5100"), ["OTHER"]);
    assert!(at("2", "5100").is_empty(), "too short to tell");
    let mut s = plain("L");
    s.port_code = "5100".into();
    assert_eq!(e.evaluate(&s, &Warnings::none(), 1).fired[0].reason, "route other_port (customs 2244 port 5100)");
}

#[test]
fn seller_conditions_read_the_ebc_party() {
    let e = engine(&[
        ("CREDIT", "yellow", "seller_credit = [\"dishonest\", \"general\"]"),
        ("NEW", "red", "filed_days_below = 90"),
        ("VIOL", "red", "violations_at_least = 2"),
    ]);
    let with = |f: &dyn Fn(&mut Vec<Party>)| {
        let mut s = plain("L");
        f(&mut s.parties);
        fired(&e, &s)
    };
    assert_eq!(with(&|_| {}), ["CREDIT"], "general seller");
    assert!(with(&|p| p[1].credit = Some(CreditRating::Advanced)).is_empty());
    assert!(with(&|p| p[1].credit = None).is_empty(), "unrated seller");
    assert!(
        with(&|p| {
            p[1].credit = Some(CreditRating::Advanced);
            p[0].credit = Some(CreditRating::Dishonest);
        })
        .is_empty(),
        "the platform's credit does not count"
    );
    assert!(with(&|p| p.retain(|p| p.role != PartyRole::Ebc)).is_empty(), "no seller");
    assert_eq!(with(&|p| p[1].filed_days = Some(30)), ["CREDIT", "NEW"]);
    assert_eq!(with(&|p| p[1].filed_days = Some(90)), ["CREDIT"], "below is strict");
    assert_eq!(with(&|p| p[1].filed_days = None), ["CREDIT"]);
    assert_eq!(with(&|p| p[1].violations = 2), ["CREDIT", "VIOL"]);
    assert_eq!(with(&|p| p[1].violations = 1), ["CREDIT"]);
    let mut s = plain("L");
    s.parties[1].violations = 3;
    s.parties[1].credit = Some(CreditRating::Dishonest);
    let d = e.evaluate(&s, &Warnings::none(), 1);
    assert_eq!(d.fired[0].reason, "seller 3301964J31 credit dishonest");
    assert_eq!(d.fired[1].reason, "seller 3301964J31 violations 3 >= 2");
}

#[test]
fn enterprise_and_type_conditions_read_every_party() {
    let e = engine(&[
        ("ENT", "red", "enterprise = \"3301980002\""),
        ("TYPE", "yellow", "enterprise_type = [\"warehouse\"]"),
    ]);
    let mut s = plain("L");
    assert_eq!(fired(&e, &s), ["ENT"], "the logistics party");
    s.parties[2].code = "3301980003".into();
    assert!(fired(&e, &s).is_empty());
    s.parties[0].code = "3301980002".to_lowercase();
    s.parties[0].types.push("warehouse".into());
    assert_eq!(fired(&e, &s), ["ENT", "TYPE"], "codes ignore case");
}

#[test]
fn keywords_and_brands_ignore_case() {
    let e = engine(&[
        ("KW", "yellow", "name_keyword = [\"Formula\", \"奶粉\"]"),
        ("BR", "red", "brand = \"Chanel\"\nhs_prefix = \"4202\""),
    ]);
    let name = |n: &str| fired(&e, &subject("L", vec![item(1, "1901101000", n, "116")]));
    assert_eq!(name("INFANT FORMULA"), ["KW"]);
    assert_eq!(name("婴儿奶粉 800g"), ["KW"]);
    assert!(name("infant milk").is_empty());
    let mut bag = item(1, "4202210000", "handbag", "303");
    bag.brand = "CHANEL classic flap".into();
    assert_eq!(fired(&e, &subject("L", vec![bag.clone()])), ["BR"]);
    bag.hs_code = "6403990000".into();
    assert!(fired(&e, &subject("L", vec![bag])).is_empty(), "brand and HS on the same item");
    let d = engine(&[("KW", "yellow", "name_keyword = [\"Formula\"]")]).evaluate(
        &subject("L", vec![item(1, "1901101000", "INFANT FORMULA", "116")]),
        &Warnings::none(),
        1,
    );
    assert_eq!(d.fired[0].reason, "item 1; name contains \"Formula\"");
}

#[test]
fn list_conditions() {
    let e = engine(&[
        ("EXP", "yellow", "direction = \"export\""),
        ("MODE", "yellow", "trade_mode = [\"1210\", \"9710\"]"),
        ("BIG", "red", "total_value_above = \"100\"\ntraf_mode = \"5\"\ncountry = \"116\""),
    ]);
    let mut s = plain("L");
    assert!(fired(&e, &s).is_empty(), "total value 100 is not above 100");
    s.total_value = dec("100.01");
    assert_eq!(fired(&e, &s), ["BIG"]);
    s.traf_mode = "4".into();
    assert!(fired(&e, &s).is_empty());
    s.direction = Direction::Export;
    s.trade_mode = "9710".into();
    assert_eq!(fired(&e, &s), ["EXP", "MODE"]);
}

#[test]
fn the_most_severe_lane_wins_and_rules_are_listed_in_file_order() {
    let e = engine(&[
        ("Z-LAST", "yellow", "hs_prefix = \"61\""),
        ("A-HOLD", "hold", "origin_country = \"502\""),
        ("M-RED", "red", "trade_mode = \"9610\""),
    ]);
    let d = e.evaluate(&plain("L"), &Warnings::none(), 1);
    assert_eq!(d.lane, Lane::Hold);
    assert!(!d.refused);
    let ids: Vec<&str> = d.fired.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["Z-LAST", "A-HOLD", "M-RED"]);
    assert_eq!(d.rules_version, "t1");
    assert!(Lane::Green < Lane::Yellow && Lane::Yellow < Lane::Red && Lane::Red < Lane::Hold);
}

#[test]
fn a_green_rule_leaves_only_the_minimum_random_inspection() {
    let text = "version = \"v\"\n[rates]\nminimum_random_inspection = 0.1\nyellow = 0.4\n[rates.credit]\ngeneral = 0.5\n\
                [[rule]]\nid = \"TRUSTED\"\ndescription = \"books\"\nlane = \"green\"\n[rule.when]\nhs_prefix = \"4901\"\n";
    let e = Engine::new(RuleSet::parse(text).unwrap());
    let books = subject("L", vec![item(1, "4901990000", "book", "502")]);
    let d = e.evaluate(&books, &Warnings::none(), 3);
    assert_eq!(d.fired.len(), 1);
    let draw = d.random.unwrap();
    assert_eq!((draw.red_rate, draw.yellow_rate), (0.1, 0.0));
    let d = e.evaluate(&plain("L"), &Warnings::none(), 3);
    let draw = d.random.unwrap();
    assert_eq!((draw.red_rate, draw.yellow_rate), (0.5, 0.4));
    assert_eq!(draw.value, crate::draw(3, "L", SELECTION_STREAM));
}

#[test]
fn a_sampling_rule_fires_by_its_own_draw() {
    let text = format!(
        "{HEAD}[[rule]]\nid = \"S\"\ndescription = \"x\"\nlane = \"red\"\nrate = 0.5\n[rule.when]\nhs_prefix = \"61\"\n"
    );
    let e = Engine::new(RuleSet::parse(&text).unwrap());
    let mut hits = 0;
    for i in 0..400 {
        let key = format!("L{i}");
        let d = e.evaluate(&plain(&key), &Warnings::none(), 9);
        let u = crate::draw(9, &key, "S");
        assert_eq!(d.fired.len() == 1, u < 0.5, "{key}");
        if let Some(f) = d.fired.first() {
            hits += 1;
            assert_eq!(f.reason, format!("item 1 hs 6109100021 matches hs_prefix 61; sampled {u:.4} < rate 0.5"));
            assert_eq!(d.random, None);
        } else {
            assert!(d.random.is_some());
        }
    }
    assert!((150..=250).contains(&hits), "{hits}");
}

#[test]
fn the_index_finds_what_a_full_scan_finds() {
    let e = Engine::new(RuleSet::parse(&generate::rule_file(1000)).unwrap());
    let mut total = 0;
    for i in 0..500 {
        let s = generate::subject(i);
        let full = e.matching_unindexed(&s);
        assert_eq!(e.matching_indexed(&s), full, "subject {i}");
        total += full.len();
    }
    // The comparison is only worth something if rules do match.
    assert!(total > 500, "{total}");
}

// ---------------------------------------------------------------------------
// Warnings.

fn warning(id: &str, scope: Scope, measure: Measure) -> Warning {
    Warning { id: id.into(), scope, severity: Severity::High, measure, valid_from: 1_000, valid_until: 2_000 }
}

fn hs_scope(prefix: &str) -> Scope {
    Scope { hs_prefix: Some(prefix.into()), ..Scope::default() }
}

#[test]
fn a_warning_holds_a_matching_list_and_not_another() {
    let e = engine(&[]);
    let w = Warnings::new(&[warning("W-1", hs_scope("190110"), Measure::HoldForInspection)], 1_500);
    let formula = subject("L1", vec![item(1, "6109100021", "shirt", "502"), item(2, "1901101000", "formula", "116")]);
    let d = e.evaluate(&formula, &w, 1);
    assert_eq!(d.lane, Lane::Red);
    assert!(!d.refused);
    assert_eq!(d.random, None);
    assert_eq!(
        d.warnings,
        [WarningHit {
            warning_id: "W-1".into(),
            measure: Measure::HoldForInspection,
            severity: Severity::High,
            item: Some(2),
            reason: "item 2 hs 1901101000 matches hs_prefix 190110".into(),
        }]
    );
    let d = e.evaluate(&plain("L2"), &w, 1);
    assert_eq!(d.lane, Lane::Green);
    assert!(d.warnings.is_empty());
}

#[test]
fn a_warning_applies_only_inside_its_validity() {
    let e = engine(&[]);
    let list = [warning("W-1", hs_scope("61"), Measure::FullInspection)];
    for (now, applies, next) in
        [(999, false, Some(1_000)), (1_000, true, Some(2_000)), (1_999, true, Some(2_000)), (2_000, false, None)]
    {
        let w = Warnings::new(&list, now);
        assert_eq!(w.next_change(), next, "at {now}");
        assert_eq!(w.len(), usize::from(applies));
        let d = e.evaluate(&plain("L"), &w, 1);
        assert_eq!(d.warnings.len(), usize::from(applies), "at {now}");
        assert_eq!(d.lane, if applies { Lane::Red } else { Lane::Green }, "at {now}");
    }
}

#[test]
fn each_measure_sets_its_lane() {
    let e = engine(&[("Y", "yellow", "hs_prefix = \"61\"")]);
    for (measure, lane, refused) in [
        (Measure::HoldForInspection, Lane::Red, false),
        (Measure::FullInspection, Lane::Red, false),
        (Measure::RefuseEntry, Lane::Hold, true),
    ] {
        let w = Warnings::new(&[warning("W", hs_scope("6109"), measure)], 1_000);
        let d = e.evaluate(&plain("L"), &w, 1);
        assert_eq!((d.lane, d.refused), (lane, refused), "{measure:?}");
        assert_eq!(measure_lane(measure), lane);
        assert_eq!(d.fired.len(), 1, "the rule still fires and is listed");
    }
    // A warning never lowers a lane a rule chose.
    let e = engine(&[("H", "hold", "hs_prefix = \"61\"")]);
    let w = Warnings::new(&[warning("W", hs_scope("6109"), Measure::FullInspection)], 1_000);
    assert_eq!(e.evaluate(&plain("L"), &w, 1).lane, Lane::Hold);
}

#[test]
fn warning_scopes() {
    let e = engine(&[]);
    let mut bag = item(1, "4202210000", "Leather HANDBAG", "303");
    bag.brand = "Gucci GG".into();
    let list = subject("L", vec![item(1, "1901101000", "formula", "840"), bag]);
    let hits = |scope: Scope| {
        let w = Warnings::new(&[warning("W", scope, Measure::HoldForInspection)], 1_000);
        e.evaluate(&list, &w, 1).warnings
    };
    // Item fields hold on one item.
    let apart = Scope { hs_prefix: Some("1901".into()), origin_country: Some("303".into()), ..Scope::default() };
    assert!(hits(apart).is_empty());
    let together = Scope { hs_prefix: Some("4202".into()), origin_country: Some("303".into()), ..Scope::default() };
    assert_eq!(hits(together)[0].item, Some(1));
    let product = Scope { product: Some("handbag".into()), brand: Some("GUCCI".into()), ..Scope::default() };
    assert_eq!(hits(product)[0].reason, "item 1 name contains \"handbag\" brand contains \"gucci\"");
    // An enterprise alone: no item.
    let ent = Scope { enterprise: Some("3301964j31".into()), ..Scope::default() };
    let h = hits(ent);
    assert_eq!((h[0].item, h[0].reason.as_str()), (None, "enterprise 3301964J31"));
    let other = Scope { enterprise: Some("9999999999".into()), hs_prefix: Some("4202".into()), ..Scope::default() };
    assert!(hits(other).is_empty(), "enterprise and goods must both hold");
    // An empty scope would hit everything: it is skipped.
    let w = Warnings::new(
        &[warning("EMPTY", Scope { product: Some("  ".into()), ..Scope::default() }, Measure::RefuseEntry)],
        1_000,
    );
    assert!(w.is_empty());
    assert_eq!(w.skipped()[0].warning_id, "EMPTY");
    assert!(e.evaluate(&list, &w, 1).warnings.is_empty());
}

// ---------------------------------------------------------------------------
// Determinism and the statistics of random selection.

#[test]
fn the_same_seed_gives_the_same_decision() {
    let e = Engine::new(RuleSet::parse(SHIPPED).unwrap());
    let w = Warnings::new(&generate::warnings(100), 1_000);
    for i in 0..300 {
        let s = generate::subject(i);
        let a = e.evaluate(&s, &w, 77);
        assert_eq!(a, e.evaluate(&s.clone(), &w, 77));
        assert_eq!(a.seed, 77);
    }
    let mut differ = 0;
    for i in 0..300 {
        let s = plain(&format!("L{i}"));
        let a = e.evaluate(&s, &Warnings::none(), 77).random.unwrap();
        let b = e.evaluate(&s, &Warnings::none(), 78).random.unwrap();
        assert_ne!(a.value, b.value, "another seed, another draw");
        differ += usize::from(a.lane != b.lane);
    }
    assert!(differ > 0, "some random lanes change with the seed");
    // Draws are pinned: a change of the hash changes every recorded decision.
    let d = e.evaluate(&plain("L-pinned"), &Warnings::none(), 2026);
    assert_eq!(d.random.unwrap().value, crate::draw(2026, "L-pinned", ""));
}

/// Observed count within 4 binomial standard deviations of `n * p`.
#[track_caller]
fn within_4_sigma(observed: usize, n: usize, p: f64, what: &str) {
    let (n, o) = (n as f64, observed as f64);
    let sigma = (n * p * (1.0 - p)).sqrt();
    assert!((o - n * p).abs() <= 4.0 * sigma, "{what}: {observed} of {n}, expected {:.0} ± {:.1}", n * p, 4.0 * sigma);
}

#[test]
fn lane_rates_converge_to_the_configured_rates() {
    let text = "version = \"stat\"\n[rates]\nminimum_random_inspection = 0.01\nyellow = 0.03\n\
                [rates.credit]\nadvanced = 0.005\ngeneral = 0.02\ndishonest = 0.30\n\
                [[rule]]\nid = \"NEVER\"\ndescription = \"matches nothing here\"\nlane = \"red\"\n\
                [rule.when]\nhs_prefix = \"99\"\n";
    let rules = RuleSet::parse(text).unwrap();
    let e = Engine::new(rules.clone());
    const N: usize = 10_000;
    for (credit, red, yellow) in [
        (Some(CreditRating::General), 0.02, 0.03),
        (Some(CreditRating::Dishonest), 0.30, 0.03),
        (Some(CreditRating::Advanced), 0.01, 0.03),
        (Some(CreditRating::GeneralCertified), 0.01, 0.03),
        (None, 0.01, 0.03),
    ] {
        let expected = rules.expected_rates(credit);
        assert_eq!((expected.red, expected.yellow), (red, yellow), "{credit:?}");
        let mut counts = LaneCounts::default();
        for i in 0..N {
            let mut s = plain(&format!("{credit:?}-{i:05}"));
            s.parties[1].credit = credit;
            let d = e.evaluate(&s, &Warnings::none(), 20261127);
            assert!(d.fired.is_empty());
            let draw = d.random.unwrap();
            assert_eq!((draw.red_rate, draw.yellow_rate), (red, yellow));
            match d.lane {
                Lane::Green => counts.green += 1,
                Lane::Yellow => counts.yellow += 1,
                Lane::Red => counts.red += 1,
                Lane::Hold => counts.hold += 1,
            }
        }
        within_4_sigma(counts.red, N, red, &format!("{credit:?} red"));
        within_4_sigma(counts.yellow, N, yellow, &format!("{credit:?} yellow"));
        within_4_sigma(counts.green, N, 1.0 - red - yellow, &format!("{credit:?} green"));
        assert_eq!(counts.hold, 0);
    }
}

#[test]
fn the_four_sigma_check_can_fail() {
    let result = std::panic::catch_unwind(|| within_4_sigma(300, 10_000, 0.02, "red"));
    assert!(result.is_err());
}

// ---------------------------------------------------------------------------
// Dry runs.

#[test]
fn a_dry_run_reports_what_a_new_rule_would_have_hit() {
    let active = engine(&[("OLD", "yellow", "hs_prefix = \"1901\"")]);
    let candidate = rules(&[
        ("OLD", "yellow", "hs_prefix = \"1901\""),
        ("NEW", "red", "hs_prefix = \"3304\"\norigin_country = \"116\""),
    ]);
    let subjects: Vec<Subject> = (0..100)
        .map(|i| {
            let mut items = vec![item(1, "6109100021", "shirt", "502")];
            if i % 7 == 0 {
                items.push(item(2, "3304990099", "cream", "116"));
            }
            if i % 5 == 0 {
                items.push(item(3, "1901101000", "formula", "116"));
            }
            subject(&format!("L{i:03}"), items)
        })
        .collect();
    let expected: Vec<String> =
        subjects.iter().filter(|s| s.items.len() > 1 && s.items[1].gnum == 2).map(|s| s.key.clone()).collect();
    assert_eq!(expected.len(), 15);
    let report = dry_run(&candidate, Some(&active), subjects, 5);
    assert_eq!(report.subjects, 100);
    let new = &report.rules[1];
    assert_eq!((new.rule_id.as_str(), new.hits), ("NEW", 15));
    let keys: Vec<&str> = new.examples.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, expected.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(new.examples[0].reason, "item 2 hs 3304990099 matches hs_prefix 3304; origin 116");
    assert_eq!(report.rules[0].hits, 20);
    // Lists 0, 35 and 70 were yellow (formula and cream): they change too.
    assert_eq!(report.candidate_lanes, LaneCounts { green: 68, yellow: 17, red: 15, hold: 0, refused: 0 });
    assert_eq!(report.active_lanes, Some(LaneCounts { green: 80, yellow: 20, red: 0, hold: 0, refused: 0 }));
    assert_eq!(report.changed, 15);
    assert_eq!(report.changes[0], LaneChange { key: "L000".into(), from: Lane::Yellow, to: Lane::Red });
    assert_eq!(report.changes[1], LaneChange { key: "L007".into(), from: Lane::Green, to: Lane::Red });
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["rules"][1]["hits"], 15);
}

#[test]
fn a_dry_run_compares_with_the_same_draws() {
    let text = |version: &str, extra: &str| {
        format!(
            "version = \"{version}\"\n[rates]\nminimum_random_inspection = 0.2\nyellow = 0.3\n\
             [[rule]]\nid = \"A\"\ndescription = \"x\"\nlane = \"yellow\"\nrate = 0.5\n[rule.when]\nhs_prefix = \"1901\"\n{extra}"
        )
    };
    let active = Engine::new(RuleSet::parse(&text("v1", "")).unwrap());
    let same = RuleSet::parse(&text("v2", "")).unwrap();
    let subjects: Vec<Subject> = (0..2_000).map(generate::subject).collect();
    let report = dry_run(&same, Some(&active), subjects.clone(), 11);
    assert_eq!(report.changed, 0, "identical rules under the same seed change nothing");
    assert_eq!(Some(report.candidate_lanes), report.active_lanes);
    assert!(report.candidate_lanes.red > 200 && report.candidate_lanes.yellow > 400, "{:?}", report.candidate_lanes);

    let hold = "[[rule]]\nid = \"B\"\ndescription = \"y\"\nlane = \"hold\"\n[rule.when]\nhs_prefix = \"3304\"\n";
    let candidate = RuleSet::parse(&text("v3", hold)).unwrap();
    let report = dry_run(&candidate, Some(&active), subjects, 11);
    let b = &report.rules[1];
    assert_eq!(report.changed, b.hits, "exactly the lists rule B hits change");
    assert_eq!(report.candidate_lanes.hold, b.hits);
    assert!(report.changes.iter().all(|c| c.to == Lane::Hold && c.from != Lane::Hold));
    assert_eq!(report.changes.len(), DRY_RUN_EXAMPLES.min(b.hits));
    let report = dry_run(&candidate, None, Vec::new(), 11);
    assert_eq!((report.subjects, report.active_lanes, report.changed), (0, None, 0));
}

#[test]
fn a_dry_run_shared_out_over_threads_reports_in_list_order() {
    // Enough lists to be evaluated on several threads: the hits, their
    // examples and the lane changes are those of one pass in order.
    let text = "version = \"p1\"\n[rates]\nminimum_random_inspection = 0.1\nyellow = 0.1\n\
        [[rule]]\nid = \"B\"\ndescription = \"y\"\nlane = \"hold\"\n[rule.when]\nhs_prefix = \"3304\"\n";
    let candidate = RuleSet::parse(text).unwrap();
    let active = engine(&[("OLD", "yellow", "hs_prefix = \"1901\"")]);
    let subjects: Vec<Subject> = (0..6_000).map(generate::subject).collect();
    let one = Engine::new(candidate.clone());
    let none = Warnings::none();
    let mut hits = Vec::new();
    let mut changes = Vec::new();
    for s in &subjects {
        let d = one.evaluate(s, &none, 9);
        if d.fired.iter().any(|f| f.rule_id == "B") {
            hits.push(s.key.clone());
        }
        let before = active.evaluate(s, &none, 9);
        if before.lane != d.lane {
            changes.push(LaneChange { key: s.key.clone(), from: before.lane, to: d.lane });
        }
    }
    assert!(hits.len() > DRY_RUN_EXAMPLES && changes.len() > DRY_RUN_EXAMPLES, "{} {}", hits.len(), changes.len());
    let report = dry_run(&candidate, Some(&active), subjects, 9);
    assert_eq!(report.subjects, 6_000);
    assert_eq!(report.rules[0].hits, hits.len());
    let keys: Vec<&str> = report.rules[0].examples.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, hits[..DRY_RUN_EXAMPLES].iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(report.changed, changes.len());
    assert_eq!(report.changes, changes[..DRY_RUN_EXAMPLES]);
}

// ---------------------------------------------------------------------------
// Properties.

fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        Just(Decimal::ZERO),
        (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::from_i128_with_scale(i128::from(m), s)),
    ]
}

fn any_item() -> impl Strategy<Value = Item> {
    let code = prop_oneof![Just("1901101000".to_owned()), "[0-9]{0,12}", ".{0,4}"];
    let unit = prop_oneof![Just("035".to_owned()), Just("036".to_owned()), ".{0,3}"];
    (any::<i32>(), code, ".{0,12}", ".{0,12}", "[0-9]{3}|.{0,3}", any_decimal(), unit, any_decimal(), any_decimal())
        .prop_map(|(gnum, hs_code, name, brand, origin_country, qty, unit, unit_price, total_price)| Item {
            gnum,
            hs_code,
            name,
            brand,
            origin_country,
            qty,
            unit,
            unit_price,
            total_price,
        })
}

fn any_subject() -> impl Strategy<Value = Subject> {
    let credit = prop_oneof![
        Just(None),
        Just(Some(CreditRating::Dishonest)),
        Just(Some(CreditRating::Advanced)),
        Just(Some(CreditRating::General))
    ];
    let party = (".{0,12}", credit, proptest::option::of(any::<i64>()), any::<u32>()).prop_map(
        |(code, credit, filed_days, violations)| Party {
            role: PartyRole::Ebc,
            code,
            types: vec!["ebc".into()],
            credit,
            filed_days,
            violations,
        },
    );
    (
        ".{0,8}",
        ".{0,5}",
        ".{0,5}",
        ".{0,5}",
        any_decimal(),
        proptest::option::of(any_decimal()),
        proptest::collection::vec(party, 0..3),
        proptest::collection::vec(any_item(), 0..4),
    )
        .prop_map(|(key, trade_mode, customs_code, port_code, total_value, net_weight, parties, items)| Subject {
            key,
            direction: Direction::Import,
            trade_mode,
            customs_code,
            port_code,
            country: "116".into(),
            traf_mode: "5".into(),
            total_value,
            net_weight,
            parties,
            items,
            buyer_id: "110101199003074514".into(),
            consignee_address: "北京市".into(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn evaluate_never_panics_and_is_consistent(s in any_subject(), seed in any::<u64>()) {
        let e = Engine::new(RuleSet::parse(SHIPPED).unwrap());
        let w = Warnings::new(&generate::warnings(30), 1_000);
        let d = e.evaluate(&s, &w, seed);
        for f in &d.fired {
            prop_assert!(f.lane <= d.lane);
        }
        if let Some(draw) = &d.random {
            prop_assert!((0.0..1.0).contains(&draw.value));
            prop_assert_eq!(draw.lane, d.lane);
        }
        prop_assert_eq!(d.refused, d.warnings.iter().any(|h| h.measure == Measure::RefuseEntry));
        prop_assert!(d.explain().chars().count() <= EXPLAIN_MAX_CHARS);
        prop_assert_eq!(&d, &e.evaluate(&s, &w, seed));
    }

    #[test]
    fn parse_never_panics_and_errors_point_into_the_file(line in 0usize..120, junk in ".{0,40}") {
        let mut lines: Vec<&str> = SHIPPED.lines().collect();
        let at = line.min(lines.len() - 1);
        lines[at] = &junk;
        let text = lines.join("\n");
        if let Err(e) = RuleSet::parse(&text) {
            prop_assert!(!e.errors.is_empty());
            for error in &e.errors {
                prop_assert!(error.line >= 1 && error.line <= lines.len() + 1, "{:?}", error);
                prop_assert!(error.column >= 1);
            }
        }
    }
}
