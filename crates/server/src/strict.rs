//! Request bodies read strictly: a JSON value deserialized as serde_json would, except
//! that a struct is read only from an object. serde's derived structs also accept an
//! array, filling fields by position: `["Renamed", null]` renamed a programme and
//! `["arrayuser", ...]` created a user. Every struct, at every level, now needs an object.

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value};

type Error = de::value::Error;

/// A JSON value to deserialize from.
pub struct Strict<'a>(pub &'a Value);

/// A JSON value as parsed, refusing an object that gives a key twice (which reading into
/// a struct directly refused as a duplicate field; a plain JSON value keeps the last).
pub struct Checked(pub Value);

impl<'de> de::Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor).map(Checked)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        de::Deserialize::deserialize(d).map(|Checked(v)| v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(Checked(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("the key `{key}` is given twice")));
            }
            let Checked(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

fn number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, Error> {
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else if let Some(f) = n.as_f64() {
        visitor.visit_f64(f)
    } else {
        Err(de::Error::custom("a number out of range"))
    }
}

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (_, Some(i), _) => Unexpected::Signed(i),
            (_, _, Some(f)) => Unexpected::Float(f),
            _ => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// JSON Schema's `integer` is any number without a fractional part: `63.0` is the
/// integer 63. serde reads a number written with a point as a float only, so an integer
/// field reads such a number as the integer it is, as long as a float holds it exactly
/// (up to 2^53: `9007199254740993.0` would silently be read as ...992); every other
/// value as it would.
/// 2^53: every integer below it is exactly a float, and a number written beyond it may
/// have been rounded to it.
const EXACT_IN_A_FLOAT: f64 = 9_007_199_254_740_992.0;

macro_rules! integers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Number(n) => match n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                    Some(f) if (0.0..EXACT_IN_A_FLOAT).contains(&f) => {
                        visitor.visit_u64(f as u64)
                    }
                    Some(f) if f > -EXACT_IN_A_FLOAT && f < 0.0 => {
                        visitor.visit_i64(f as i64)
                    }
                    _ => number(n, visitor),
                },
                _ => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for Strict<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(a) => visitor.visit_seq(Seq(a.iter())),
            Value::Object(o) => visitor.visit_map(Fields::new(o)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(o) => visitor.visit_map(Fields::new(o)),
            other => Err(de::Error::invalid_type(unexpected(other), &"an object")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Object(o) if o.len() == 1 => match o.iter().next() {
                Some((variant, value)) => visitor.visit_enum(Variant { variant, value }),
                None => Err(de::Error::custom("an empty object")),
            },
            other => Err(de::Error::invalid_type(
                unexpected(other),
                &"a string, or an object with exactly one key",
            )),
        }
    }

    integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    }

    serde::forward_to_deserialize_any! {
        bool f32 f64 char str string bytes
        byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Seq<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(Strict(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Fields<'a> {
    entries: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'a> Fields<'a> {
    fn new(map: &'a Map<String, Value>) -> Self {
        Fields {
            entries: map.iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Fields<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some(v);
                let key: de::value::BorrowedStrDeserializer<'de, Error> =
                    de::value::BorrowedStrDeserializer::new(k);
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(Strict(v)),
            None => Err(de::Error::custom("a value without its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Variant<'a> {
    variant: &'a str,
    value: &'a Value,
}

impl<'de> EnumAccess<'de> for Variant<'de> {
    type Error = Error;
    type Variant = Strict<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Strict<'de>), Error> {
        let name: de::value::BorrowedStrDeserializer<'de, Error> =
            de::value::BorrowedStrDeserializer::new(self.variant);
        Ok((seed.deserialize(name)?, Strict(self.value)))
    }
}

impl<'de> VariantAccess<'de> for Strict<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(unexpected(other), &"null")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(a) => visitor.visit_seq(Seq(a.iter())),
            other => Err(de::Error::invalid_type(unexpected(other), &"an array")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(o) => visitor.visit_map(Fields::new(o)),
            other => Err(de::Error::invalid_type(unexpected(other), &"an object")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        name: String,
        count: Option<u32>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Choice {
        Plain,
        Exact(String),
        Pair { a: i64 },
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Outer {
        inner: Inner,
        list: Vec<Inner>,
        choice: Choice,
        #[serde(default)]
        flag: bool,
    }

    fn read<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, String> {
        T::deserialize(Strict(&v)).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let v = serde_json::json!({
            "inner": {"name": "a", "count": 3},
            "list": [{"name": "b", "count": null}],
            "choice": {"exact": "x"},
        });
        let direct: Outer = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(read::<Outer>(v).unwrap(), direct);
        assert_eq!(
            read::<Choice>(serde_json::json!("plain")).unwrap(),
            Choice::Plain
        );
        assert_eq!(
            read::<Choice>(serde_json::json!({"pair": {"a": -4}})).unwrap(),
            Choice::Pair { a: -4 }
        );
        assert!(read::<Inner>(serde_json::json!({"name": "a", "extra": 1})).is_err());
        assert!(read::<Inner>(serde_json::json!({"name": "a", "count": -1})).is_err());
    }

    #[test]
    fn an_integer_written_with_a_point_is_the_integer_json_schema_says_it_is() {
        let v: Value =
            serde_json::from_str("[63.0, -2.0, 1e2, 2.5, 1e20, 9007199254740993.0]").unwrap();
        let read_at = |i: usize| v[i].clone();
        assert_eq!(read::<u64>(read_at(0)), Ok(63));
        assert_eq!(read::<i32>(read_at(1)), Ok(-2));
        assert_eq!(read::<u32>(read_at(2)), Ok(100));
        assert!(read::<u64>(read_at(3)).is_err(), "2.5 is no integer");
        assert!(
            read::<u64>(read_at(4)).is_err(),
            "1e20 is out of u64's range"
        );
        assert!(
            read::<u64>(read_at(5)).is_err(),
            "not exactly a float: refused"
        );
        assert!(read::<u8>(read_at(1)).is_err(), "-2 is out of u8's range");
        assert_eq!(read::<f64>(read_at(3)), Ok(2.5));
        // Read exactly (serde_json's `float_roundtrip`): its default parser read this as
        // 1850108503306856.8, refused as no integer (found by schemathesis' stateful phase).
        let v: Value = serde_json::from_str("1850108503306857.0").unwrap();
        assert_eq!(read::<u64>(v), Ok(1_850_108_503_306_857));
    }

    #[test]
    fn a_key_given_twice_is_refused_and_values_parse_as_serde_json_parses_them() {
        let twice = br#"{"a": {"name": "x", "name": "y"}}"#;
        let e = serde_json::from_slice::<Checked>(twice).err().unwrap();
        assert!(e.to_string().contains("given twice"), "{e}");
        assert_eq!(e.classify(), serde_json::error::Category::Data);
        let text =
            br#"{"n": [1, -2, 2.5, 18446744073709551615], "s": "\u00e9", "z": null, "t": true}"#;
        let Checked(v) = serde_json::from_slice(text).unwrap();
        assert_eq!(v, serde_json::from_slice::<Value>(text).unwrap());
    }

    #[test]
    fn a_struct_is_never_read_from_an_array_at_any_level() {
        assert!(serde_json::from_value::<Inner>(serde_json::json!(["a", 1])).is_ok());
        let top = read::<Inner>(serde_json::json!(["a", 1])).unwrap_err();
        assert!(top.contains("an object"), "{top}");
        let nested = serde_json::json!({
            "inner": ["a", 1], "list": [], "choice": "plain"
        });
        assert!(read::<Outer>(nested).is_err());
        let in_list = serde_json::json!({
            "inner": {"name": "a"}, "list": [["b", 2]], "choice": "plain"
        });
        assert!(read::<Outer>(in_list).is_err());
        let in_variant = serde_json::json!({
            "inner": {"name": "a"}, "list": [], "choice": {"pair": [4]}
        });
        assert!(read::<Outer>(in_variant).is_err());
        assert!(read::<Choice>(serde_json::json!({"plain": null, "exact": "x"})).is_err());
    }
}
