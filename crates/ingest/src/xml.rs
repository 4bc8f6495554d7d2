//! The XML reader every XML format shares: `quick-xml` events with line
//! numbers, no DTD processing (a document that declares entities is refused,
//! and a reference to an undeclared entity is an error, so nothing is ever
//! expanded), and a check that the document is complete.

use std::io::{BufRead, Read};

use friction_model::inputs::Position;
use quick_xml::events::{BytesStart, Event};

use crate::Error;

/// A `BufRead` that counts the lines it has handed out.
struct Lines<'r> {
    inner: &'r mut dyn BufRead,
    newlines: u64,
}

impl Read for Lines<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.newlines += count_newlines(&out[..n]);
        Ok(n)
    }
}

impl BufRead for Lines<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // The buffer is already filled: this asks for no IO.
        if let Ok(buf) = self.inner.fill_buf() {
            self.newlines += count_newlines(&buf[..amt.min(buf.len())]);
        }
        self.inner.consume(amt);
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// What the formats see of an XML document.
pub(crate) enum Node {
    /// An element opens (`empty`: it also closes, `<x/>`).
    Open { name: Vec<u8>, empty: bool },
    /// An element closes.
    Close { name: Vec<u8> },
    /// The document ended, complete.
    End,
}

pub(crate) struct Xml<'r> {
    reader: quick_xml::Reader<Lines<'r>>,
    buf: Vec<u8>,
    depth: usize,
    /// Attributes of the element last opened.
    attrs: Vec<(Vec<u8>, String)>,
    root_seen: bool,
}

impl<'r> Xml<'r> {
    pub(crate) fn new(reader: &'r mut dyn BufRead) -> Xml<'r> {
        Xml {
            reader: quick_xml::Reader::from_reader(Lines {
                inner: reader,
                newlines: 0,
            }),
            buf: Vec::new(),
            depth: 0,
            attrs: Vec::new(),
            root_seen: false,
        }
    }

    /// Checks, at the first element, that it is one of `roots`; `what` names
    /// the format (`a JUnit report`).
    pub(crate) fn check_root(
        &mut self,
        name: &[u8],
        roots: &[&str],
        what: &str,
    ) -> Result<(), Error> {
        if self.root_seen {
            return Ok(());
        }
        self.root_seen = true;
        if roots.iter().any(|r| r.as_bytes() == name) {
            return Ok(());
        }
        let expected: Vec<String> = roots.iter().map(|r| format!("<{r}>")).collect();
        Err(Error::at(
            self.position(0),
            format!(
                "not {what}: the root element is <{}>, not {}",
                String::from_utf8_lossy(name),
                expected.join(" or ")
            ),
        ))
    }

    /// At the end of the document: an error when it held no element at all.
    pub(crate) fn check_end(&self, what: &str) -> Result<(), Error> {
        if self.root_seen {
            Ok(())
        } else {
            Err(Error::whole(format!("no XML element: not {what}")))
        }
    }

    /// The line the reader has reached (1-based).
    pub(crate) fn line(&self) -> u64 {
        self.reader.get_ref().newlines + 1
    }

    /// A position at the current line, for record `record` (0: none).
    pub(crate) fn position(&self, record: u64) -> Position {
        Position {
            record,
            line: Some(self.line()),
        }
    }

    /// The next element boundary; text, comments and declarations are read
    /// past (and checked).
    pub(crate) fn next(&mut self) -> Result<Node, Error> {
        loop {
            self.buf.clear();
            let event = self.reader.read_event_into(&mut self.buf).map_err(|e| {
                Error::at(
                    Position {
                        record: 0,
                        line: Some(self.reader.get_ref().newlines + 1),
                    },
                    format!("invalid XML: {e}"),
                )
            })?;
            let line = self.reader.get_ref().newlines + 1;
            let at = |m: String| {
                Error::at(
                    Position {
                        record: 0,
                        line: Some(line),
                    },
                    m,
                )
            };
            match event {
                Event::Start(e) => {
                    self.attrs = attributes(&e).map_err(at)?;
                    self.depth += 1;
                    return Ok(Node::Open {
                        name: e.local_name().as_ref().to_vec(),
                        empty: false,
                    });
                }
                Event::Empty(e) => {
                    self.attrs = attributes(&e).map_err(at)?;
                    return Ok(Node::Open {
                        name: e.local_name().as_ref().to_vec(),
                        empty: true,
                    });
                }
                Event::End(e) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Node::Close {
                        name: e.local_name().as_ref().to_vec(),
                    });
                }
                Event::Eof if self.depth > 0 => {
                    return Err(at("the document ends inside an element (truncated?)".into()));
                }
                Event::Eof => return Ok(Node::End),
                Event::DocType(d) => {
                    let bytes: &[u8] = &d;
                    if bytes.windows(8).any(|w| w == b"<!ENTITY") {
                        return Err(at(
                            "the document declares XML entities (<!ENTITY>): refused, entities are never expanded".into(),
                        ));
                    }
                }
                Event::GeneralRef(r) => {
                    let name: &[u8] = &r;
                    let predefined = matches!(name, b"amp" | b"lt" | b"gt" | b"quot" | b"apos");
                    if !predefined && !r.is_char_ref() {
                        return Err(at(format!(
                            "reference to the undeclared entity &{};",
                            String::from_utf8_lossy(name)
                        )));
                    }
                }
                Event::Text(t) => {
                    t.decode().map_err(|e| at(format!("invalid text: {e}")))?;
                }
                Event::CData(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
    }

    /// An attribute of the element last opened.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name.as_bytes())
            .map(|(_, v)| v.as_str())
    }
}

fn attributes(e: &BytesStart<'_>) -> Result<Vec<(Vec<u8>, String)>, String> {
    let mut out = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|e| format!("invalid attribute: {e}"))?;
        let value = attr
            .unescape_value()
            .map_err(|e| format!("invalid attribute value: {e}"))?;
        out.push((attr.key.local_name().as_ref().to_vec(), value.into_owned()));
    }
    Ok(out)
}
