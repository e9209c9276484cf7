//! The two value types Thulium is inconsistent about in notifications, replacing the
//! spec's `NotificationId` and `NotificationDate` in the generated types.

use std::{borrow::Cow, fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A numeric id (`customer_id`, `chat_queue_id`, …). Documented as an integer, it arrives
/// as a numeric string in form bodies and sometimes in JSON; both are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Id(pub i64);

impl Id {
    /// The number.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl PartialEq<i64> for Id {
    fn eq(&self, other: &i64) -> bool {
        self.0 == *other
    }
}

impl From<i64> for Id {
    fn from(id: i64) -> Self {
        Id(id)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Id {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("expected a whole number, got {text:?}"));
        }
        text.parse().map(Id).map_err(|_| format!("{text:?} is out of range for an id"))
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Id;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number or a string of digits")
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Id, E> {
                Ok(Id(value))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Id, E> {
                i64::try_from(value)
                    .map(Id)
                    .map_err(|_| E::custom(format!("{value} is out of range for an id")))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Id, E> {
                value.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl schemars::JsonSchema for Id {
    fn schema_name() -> Cow<'static, str> {
        "NotificationId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["integer", "string"], "pattern": "^-?[0-9]+$" })
    }
}

/// A notification date, `YYYY-MM-DD HH:MM:SS` in the Thulium system's local time.
///
/// Thulium sends no time zone, so none is invented: this is a calendar date and a wall
/// clock time, checked to be valid, with the text as it arrived ([`LocalDateTime::as_str`]).
/// Attach the system's zone (commonly Europe/Warsaw) yourself if you need an instant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LocalDateTime {
    raw: String,
    parts: [u16; 6],
}

impl LocalDateTime {
    /// The text as it arrived, e.g. `2016-04-20 09:46:24`.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.parts[0]
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.parts[1] as u8
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.parts[2] as u8
    }

    /// The hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        self.parts[3] as u8
    }

    /// The minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        self.parts[4] as u8
    }

    /// The second, 0 to 60 (60 for a leap second).
    pub fn second(&self) -> u8 {
        self.parts[5] as u8
    }
}

impl PartialOrd for LocalDateTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LocalDateTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts.cmp(&other.parts).then_with(|| self.raw.cmp(&other.raw))
    }
}

impl FromStr for LocalDateTime {
    type Err = String;

    /// Reads `YYYY-MM-DD HH:MM:SS` (a `T` instead of the space is accepted too).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wrong = || format!("expected a date like \"2016-04-20 09:46:24\", got {text:?}");
        let b = text.as_bytes();
        let shape_ok = b.len() == 19
            && text.is_ascii()
            && b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b' ' || b[10] == b'T')
            && b[13] == b':'
            && b[16] == b':';
        if !shape_ok {
            return Err(wrong());
        }
        let number = |range: std::ops::Range<usize>| -> Result<u16, String> {
            let digits = &text[range];
            if digits.bytes().all(|c| c.is_ascii_digit()) {
                digits.parse().map_err(|_| wrong())
            } else {
                Err(wrong())
            }
        };
        let parts = [
            number(0..4)?,
            number(5..7)?,
            number(8..10)?,
            number(11..13)?,
            number(14..16)?,
            number(17..19)?,
        ];
        let [year, month, day, hour, minute, second] = parts;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(format!("{text:?} has no month {month}")),
        };
        if day == 0 || day > days_in_month {
            return Err(format!("{text:?} has no day {day} in month {month}"));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(format!("{text:?} is not a valid time of day"));
        }
        Ok(LocalDateTime { raw: text.to_owned(), parts })
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for LocalDateTime {
    fn schema_name() -> Cow<'static, str> {
        "NotificationDate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_numbers_and_numeric_strings() {
        assert_eq!(serde_json::from_str::<Id>("682").unwrap(), Id(682));
        assert_eq!(serde_json::from_str::<Id>(r#""682""#).unwrap(), Id(682));
        assert_eq!(serde_json::from_str::<Id>(r#""-1""#).unwrap(), Id(-1));
        for bad in [
            r#""abc""#,
            r#""""#,
            r#""6 82""#,
            r#""+5""#,
            "6.5",
            r#""99999999999999999999""#,
            "true",
        ] {
            assert!(serde_json::from_str::<Id>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_keep_their_text_and_are_checked() {
        let date: LocalDateTime = "2016-04-20 09:46:24".parse().unwrap();
        assert_eq!((date.year(), date.month(), date.day()), (2016, 4, 20));
        assert_eq!((date.hour(), date.minute(), date.second()), (9, 46, 24));
        assert_eq!(date.as_str(), "2016-04-20 09:46:24");
        assert!("2024-02-29 00:00:00".parse::<LocalDateTime>().is_ok());
        for bad in [
            "2023-02-29 00:00:00",
            "2016-13-01 00:00:00",
            "2016-04-20 24:00:00",
            "2016-04-20",
            "2016-04-20T09:46:24Z",
            "２０16-04-20 09:46:24",
        ] {
            assert!(bad.parse::<LocalDateTime>().is_err(), "{bad}");
        }
    }
}
