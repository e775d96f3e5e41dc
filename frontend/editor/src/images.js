// An image file pasted or dropped on the text: uploaded as the image button uploads (the same
// endpoint, so the same checks and Dutch messages), put in where the cursor or the drop is,
// then the image dialog asks for its description (or "decoratief"). Clipboard HTML with text
// in it (Word also puts a picture of the copied text on the clipboard) is pasted as text.
import { Plugin, NodeSelection, TextSelection } from "prosemirror-state";
import { schema } from "./schema.js";
import { placeBlock } from "./commands.js";

function fileOf(data) {
  return data && data.files && data.files.length ? data.files[0] : null;
}

function hasText(data) {
  var html = data.getData("text/html");
  if (html) return !!new DOMParser().parseFromString(html, "text/html").body.textContent.trim();
  return !!data.getData("text/plain").trim();
}

// options: upload(file) → Promise of {url, changes} or {error}; status(text); ask() opens the
// image dialog for the selected image
export function imageFiles(options) {
  function put(view, file, pos) {
    options.status("Afbeelding uploaden…");
    options.upload(file).then(function (result) {
      if (!result.url) { options.status(result.error || "Uploaden lukte niet."); return; }
      var node = schema.nodes.image.create({ src: result.url, alt: "", decorative: false });
      if (pos !== null) {
        var doc = view.state.doc;
        view.dispatch(view.state.tr.setSelection(TextSelection.near(doc.resolve(Math.min(pos, doc.content.size)))));
      }
      var tr = placeBlock(view.state, node);
      tr.setSelection(NodeSelection.create(tr.doc, tr.selection.$from.before(1) - node.nodeSize));
      view.dispatch(tr);
      options.status("Afbeelding ingevoegd." + (result.changes ? " " + result.changes : "") + " Beschrijf haar nu.");
      options.ask();
    }, function () { options.status("Uploaden lukte niet. Probeer het opnieuw."); });
  }
  return new Plugin({
    props: {
      handlePaste: function (view, event) {
        var file = fileOf(event.clipboardData);
        if (!file || hasText(event.clipboardData)) return false;
        event.preventDefault();
        put(view, file, null);
        return true;
      },
      handleDrop: function (view, event, slice, moved) {
        var file = moved ? null : fileOf(event.dataTransfer);
        if (!file) return false;
        event.preventDefault();
        var at = view.posAtCoords({ left: event.clientX, top: event.clientY });
        put(view, file, at ? at.pos : null);
        return true;
      }
    }
  });
}
