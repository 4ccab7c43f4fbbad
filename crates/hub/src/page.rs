//! Rendering a page of stored objects for TAXII and REST responses.

/// A page's objects as a JSON array, each object's stored text spliced in
/// as it is: the store wrote it with `serde_json`, so parsing and
/// re-serialising every object would only cost time.
pub fn objects_json(page: &crosswatch_store::ObjectPage) -> String {
    let length: usize = page.objects.iter().map(|o| o.raw.len() + 1).sum();
    let mut array = String::with_capacity(length + 2);
    array.push('[');
    for (index, object) in page.objects.iter().enumerate() {
        if index > 0 {
            array.push(',');
        }
        array.push_str(&object.raw);
    }
    array.push(']');
    array
}
