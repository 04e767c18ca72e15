#include "sys/markup_escape.hpp"

namespace benchrun::sys {

std::string markup_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char character : text) {
    const char* entity = character == '&'    ? "&amp;"
                         : character == '<'  ? "&lt;"
                         : character == '>'  ? "&gt;"
                         : character == '"'  ? "&quot;"
                         : character == '\'' ? "&#39;"
                                             : nullptr;
    if (entity != nullptr) {
      out += entity;
    } else {
      out += character;
    }
  }
  return out;
}

}  // namespace benchrun::sys
