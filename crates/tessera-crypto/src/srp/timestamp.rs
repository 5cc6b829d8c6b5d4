//! Cognito's SRP TIMESTAMP: `EEE MMM d HH:mm:ss UTC yyyy`, e.g. `Tue Mar 5 09:07:03 UTC 2024`
//! (English abbreviations, day of month without padding, the literal `UTC`).

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 → (year, month 1..=12, day 1..=31) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month 1..=12, day 1..=31) → days since 1970-01-01 (`days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Formats seconds since the Unix epoch as Cognito's TIMESTAMP.
#[must_use]
pub fn format_timestamp(epoch_seconds: i64) -> String {
    let days = epoch_seconds.div_euclid(86_400);
    let secs = epoch_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize];
    let month = MONTHS[(month - 1) as usize];
    // Four-digit years, as `parse_timestamp` reads them (before year 1000
    // too: `UTC 0999`, not `UTC 999`).
    format!(
        "{weekday} {month} {day} {:02}:{:02}:{:02} UTC {year:04}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Parses Cognito's TIMESTAMP to seconds since the Unix epoch.
///
/// Accepts what the SDKs send: English weekday and month abbreviations (any case), a
/// day of month with or without a leading zero, two-digit hours, minutes and seconds,
/// the literal `UTC`, a four-digit year, single spaces. The weekday must be a real one
/// but is not checked against the date (like a lenient `SimpleDateFormat`); the caller
/// compares the result with its clock.
#[must_use]
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let mut fields = s.split(' ');
    let weekday = fields.next()?;
    let month = fields.next()?;
    let day = fields.next()?;
    let time = fields.next()?;
    let zone = fields.next()?;
    let year = fields.next()?;
    if fields.next().is_some() || zone != "UTC" {
        return None;
    }
    WEEKDAYS.iter().find(|w| w.eq_ignore_ascii_case(weekday))?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as i64 + 1;
    let year = digits(year, 4, 4)?;
    let day = digits(day, 1, 2)?;
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut hms = time.split(':');
    let hour = digits(hms.next()?, 2, 2)?;
    let minute = digits(hms.next()?, 2, 2)?;
    let second = digits(hms.next()?, 2, 2)?;
    if hms.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// A decimal field of `min..=max` ASCII digits.
fn digits(s: &str, min: usize, max: usize) -> Option<i64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_sdks() {
        // 2024-03-05T09:07:03Z
        assert_eq!(
            format_timestamp(1_709_629_623),
            "Tue Mar 5 09:07:03 UTC 2024"
        );
        assert_eq!(format_timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
        assert_eq!(
            format_timestamp(1_704_067_199),
            "Sun Dec 31 23:59:59 UTC 2023"
        );
        assert_eq!(
            format_timestamp(951_782_400),
            "Tue Feb 29 00:00:00 UTC 2000"
        );
        assert_eq!(format_timestamp(-1), "Wed Dec 31 23:59:59 UTC 1969");
    }

    #[test]
    fn parses_what_it_formats() {
        assert_eq!(
            parse_timestamp("Tue Mar 5 09:07:03 UTC 2024"),
            Some(1_709_629_623)
        );
        assert_eq!(
            parse_timestamp("Tue Mar 05 09:07:03 UTC 2024"),
            Some(1_709_629_623)
        );
        assert_eq!(
            parse_timestamp("tue MAR 5 09:07:03 UTC 2024"),
            Some(1_709_629_623)
        );
        for t in [
            0,
            1,
            59,
            86_399,
            951_782_400,
            1_709_629_623,
            4_102_444_799,
            253_402_300_799,
        ] {
            assert_eq!(parse_timestamp(&format_timestamp(t)), Some(t), "{t}");
        }
    }

    /// Found by the `srp_values` fuzz target: year 0 parsed, but was
    /// formatted as `UTC 0`, which does not parse.
    #[test]
    fn years_before_1000_format_as_four_digits_and_parse_back() {
        let t = parse_timestamp("Sun Dec 31 23:59:59 UTC 0000").expect("parses");
        assert_eq!(format_timestamp(t), "Sun Dec 31 23:59:59 UTC 0000");
        assert_eq!(parse_timestamp(&format_timestamp(t)), Some(t));
        let t = parse_timestamp("Mon Jan 1 00:00:00 UTC 0999").expect("parses");
        assert_eq!(parse_timestamp(&format_timestamp(t)), Some(t));
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "Tue Mar 5 09:07:03 UTC",
            "Tue Mar 5 09:07:03 GMT 2024",
            "Tue Mar 5 9:07:03 UTC 2024",
            "Tue Mar 5 09:07 UTC 2024",
            "Tue Mar 5 09:07:03:00 UTC 2024",
            "Tue Mar 5 24:00:00 UTC 2024",
            "Tue Mar 5 09:60:00 UTC 2024",
            "Tue Mar 5 09:07:60 UTC 2024",
            "Tue Mar 0 09:07:03 UTC 2024",
            "Tue Mar 32 09:07:03 UTC 2024",
            "Tue Feb 30 09:07:03 UTC 2024",
            "Tue Feb 29 09:07:03 UTC 2023",
            "Tue Mar 005 09:07:03 UTC 2024",
            "Tue Mar +5 09:07:03 UTC 2024",
            "Tue Mar 5 09:07:03 UTC 24",
            "Tue Mar 5 09:07:03 UTC 20240",
            "Tue Mar  5 09:07:03 UTC 2024",
            "Tue Mar 5 09:07:03 UTC 2024 ",
            "Xyz Mar 5 09:07:03 UTC 2024",
            "Tue Foo 5 09:07:03 UTC 2024",
            "Tue Mär 5 09:07:03 UTC 2024",
            "Tue Mar 5 ٠٩:07:03 UTC 2024",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        for t in [i64::MIN, i64::MIN + 1, i64::MAX, -62_135_596_800, 1 << 40] {
            let s = format_timestamp(t);
            assert!(s.contains(" UTC "), "{s}");
        }
    }
}
