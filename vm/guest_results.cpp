#include "vm/guest_results.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string_view>
#include <variant>

#include <fmt/format.h>

#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::vm {
namespace {

constexpr std::size_t block_size = 512;
using Block = std::array<char, block_size>;

// ustar header fields: offset and length (POSIX.1-1988, plus GNU's 'L'/'K' long names and base-256 sizes).
struct Field {
  std::size_t offset;
  std::size_t length;
};
constexpr Field name_field{0, 100};
constexpr Field mode_field{100, 8};
constexpr Field size_field{124, 12};
constexpr Field checksum_field{148, 8};
constexpr std::size_t typeflag_offset = 156;
constexpr Field magic_field{257, 6};
constexpr Field version_field{263, 2};
constexpr Field prefix_field{345, 155};

// Bigger than any results folder a guest's tmpfs holds: a size beyond it is a corrupt header.
constexpr std::uint64_t max_entry_bytes = std::uint64_t{1} << 40;

std::string_view field_text(const Block& block, Field field) {
  const std::string_view raw(block.data() + field.offset, field.length);
  return raw.substr(0, std::min(raw.find('\0'), raw.size()));
}

// An octal number padded with spaces or NULs, or GNU's base-256 (first byte 0x80) for big sizes.
std::optional<std::uint64_t> numeric_field(const Block& block, Field field) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(block.data() + field.offset);
  std::uint64_t value = 0;
  if ((bytes[0] & 0x80U) != 0) {
    for (std::size_t i = 1; i < field.length; ++i) {
      if (value > (max_entry_bytes >> 8U)) return std::nullopt;
      value = (value << 8U) | bytes[i];
    }
    return value;
  }
  std::size_t i = 0;
  while (i < field.length && bytes[i] == ' ') ++i;
  bool any = false;
  for (; i < field.length && bytes[i] >= '0' && bytes[i] <= '7'; ++i) {
    if (value > (max_entry_bytes >> 3U)) return std::nullopt;
    value = value * 8 + (bytes[i] - '0');
    any = true;
  }
  for (; i < field.length; ++i) {
    if (bytes[i] != ' ' && bytes[i] != '\0') return std::nullopt;
  }
  if (!any) return std::nullopt;
  return value;
}

bool checksum_matches(const Block& block) {
  const auto stored = numeric_field(block, checksum_field);
  if (!stored) return false;
  std::uint64_t unsigned_sum = 0;
  std::int64_t signed_sum = 0;  // some old tars summed signed chars
  for (std::size_t i = 0; i < block_size; ++i) {
    const bool in_field = i >= checksum_field.offset && i < checksum_field.offset + checksum_field.length;
    const char c = in_field ? ' ' : block[i];
    unsigned_sum += static_cast<unsigned char>(c);
    signed_sum += static_cast<signed char>(c);
  }
  return *stored == unsigned_sum || static_cast<std::int64_t>(*stored) == signed_sum;
}

bool is_zero(const Block& block) {
  return std::all_of(block.begin(), block.end(), [](char c) { return c == '\0'; });
}

// Reads up to `size` bytes; fewer only at the end of the file.
std::size_t read_fully(int fd, char* buffer, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = ::read(fd, buffer + done, size - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      sys::throw_errno("read the results tar");
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

// "./a/b/" -> {"a", "b"}; nullopt with the reason for a name that must not be unpacked.
std::variant<std::vector<std::string>, std::string> safe_components(std::string_view name) {
  if (name.starts_with('/')) return std::string("absolute path");
  std::vector<std::string> components;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part == "..") return std::string("holds '..'");
    if (!part.empty() && part != ".") components.emplace_back(part);
    start = end + 1;
  }
  return components;
}

// The pax extended header's "path" record, if any ("LEN path=VALUE\n" records).
std::optional<std::string> pax_path(std::string_view records) {
  while (!records.empty()) {
    const std::size_t space = records.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::size_t length = 0;
    for (const char c : records.substr(0, space)) {
      if (c < '0' || c > '9') return std::nullopt;
      length = length * 10 + static_cast<std::size_t>(c - '0');
    }
    if (length <= space + 1 || length > records.size()) return std::nullopt;
    const std::string_view record = records.substr(space + 1, length - space - 2);  // without the '\n'
    if (record.starts_with("path=")) return std::string(record.substr(5));
    records.remove_prefix(length);
  }
  return std::nullopt;
}

class Extractor {
 public:
  Extractor(int tar_fd, const std::filesystem::path& dest) : tar_fd_(tar_fd) {
    std::filesystem::create_directories(dest);
    dest_fd_ = sys::UniqueFd(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dest_fd_) sys::throw_errno(fmt::format("open {}", dest.string()));
  }

  ResultsExtraction run() {
    Block block{};
    bool first = true;
    for (;;) {
      const std::size_t got = read_fully(tar_fd_, block.data(), block_size);
      if (got == 0) {
        result_.lost = first ? std::string(
                                   "the guest wrote no results: the stream is empty (it stopped before its "
                                   "workload ended, or could not write)")
                             : fmt::format(
                                   "the stream ends without its end-of-archive marker after {}: entries "
                                   "after it may be lost",
                                   last_name());
        break;
      }
      first = false;
      if (got < block_size) {
        result_.lost =
            fmt::format("the stream stops inside a header after {}: the entries from there on are lost", last_name());
        break;
      }
      offset_ += block_size;
      if (is_zero(block)) break;  // the end-of-archive marker (its second block need not follow)
      if (!checksum_matches(block)) {
        result_.lost = fmt::format("the header at byte {} is corrupt (bad checksum) after {}: the rest is lost",
                                   offset_ - block_size, last_name());
        break;
      }
      if (!entry(block)) break;
    }
    return std::move(result_);
  }

 private:
  std::string last_name() const { return last_name_.empty() ? std::string("the start") : last_name_; }

  // Consumes `size` bytes of entry data and its padding into `sink` (nullptr: skipped). False when the
  // stream ended first, with the count that arrived in `arrived`.
  template <class Sink>
  bool consume(std::uint64_t size, Sink&& sink, std::uint64_t& arrived) {
    std::array<char, 64 * 1024> buffer{};
    const std::uint64_t padded = (size + block_size - 1) / block_size * block_size;
    arrived = 0;
    std::uint64_t read_total = 0;
    while (read_total < padded) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), padded - read_total));
      const std::size_t got = read_fully(tar_fd_, buffer.data(), want);
      const std::uint64_t data_part = std::min<std::uint64_t>(got, size > read_total ? size - read_total : 0);
      if (data_part > 0) sink(buffer.data(), static_cast<std::size_t>(data_part));
      read_total += got;
      arrived = std::min(read_total, size);
      offset_ += got;
      if (got < want) return arrived == size;  // the data is whole even if the padding is cut
    }
    return true;
  }

  std::string read_text(std::uint64_t size, bool& complete) {
    std::string text;
    std::uint64_t arrived = 0;
    complete = consume(
        size, [&](const char* data, std::size_t n) { text.append(data, n); }, arrived);
    return text.substr(0, std::min(text.size(), text.find('\0')));
  }

  // One header's entry; false to stop (the stream ended or broke).
  bool entry(const Block& header) {
    const auto size = numeric_field(header, size_field);
    if (!size || *size > max_entry_bytes) {
      result_.lost = fmt::format("the header at byte {} is corrupt (size) after {}: the rest is lost",
                                 offset_ - block_size, last_name());
      return false;
    }
    const char type = header[typeflag_offset];
    std::uint64_t ignored = 0;
    if (type == 'L' || type == 'x') {  // the next entry's name: GNU long name, or a pax "path" record
      bool complete = false;
      const std::string text = read_text(*size, complete);
      if (!complete) {
        result_.lost = fmt::format("the stream stops inside a long name after {}: the rest is lost", last_name());
        return false;
      }
      if (type == 'L') {
        pending_name_ = text;
      } else if (auto path = pax_path(text)) {
        pending_name_ = std::move(*path);
      }
      return true;
    }
    if (type == 'K' || type == 'g') {  // a long link name, pax globals: nothing we unpack needs them
      if (!consume(
              *size, [](const char*, std::size_t) {}, ignored)) {
        result_.lost = fmt::format("the stream stops inside an extended header after {}", last_name());
        return false;
      }
      return true;
    }

    std::string name;
    if (pending_name_) {
      name = std::move(*pending_name_);
      pending_name_.reset();
    } else {
      name = std::string(field_text(header, name_field));
      // POSIX ustar (magic "ustar\0", version "00") splits long names into prefix/name; GNU's "ustar  "
      // keeps other fields where the prefix would be.
      const std::string_view magic(header.data() + magic_field.offset, magic_field.length);
      if (magic == std::string_view("ustar\0", 6) && field_text(header, version_field) == "00") {
        const auto prefix = field_text(header, prefix_field);
        if (!prefix.empty()) name = std::string(prefix) + "/" + name;
      }
    }
    last_name_ = name;

    const auto components = safe_components(name);
    const bool regular = type == '0' || type == '\0' || type == '7';
    std::optional<std::string> refusal;
    if (const auto* reason = std::get_if<std::string>(&components)) {
      refusal = *reason;
    } else if (type == '1' || type == '2') {
      refusal = type == '1' ? "hard link" : "symlink";
    } else if (!regular && type != '5') {
      refusal = fmt::format("entry type '{}' (only files and folders are unpacked)", type);
    }
    const auto* parts = std::get_if<std::vector<std::string>>(&components);
    if (!refusal && parts->empty()) {
      // "./" itself: dest is that folder; its data (none for a folder) is skipped.
      return consume(
                 *size, [](const char*, std::size_t) {}, ignored) ||
             stop_lost(name, 0, *size);
    }

    sys::UniqueFd dir;
    if (!refusal) dir = open_parent(*parts, type == '5', refusal);
    if (refusal) {
      result_.refused.push_back(fmt::format("{}: {}", name, *refusal));
      return consume(
                 *size, [](const char*, std::size_t) {}, ignored) ||
             stop_lost(name, ignored, *size);
    }
    if (type == '5')
      return consume(
                 *size, [](const char*, std::size_t) {}, ignored) ||
             stop_lost(name, 0, 0);

    const auto mode = numeric_field(header, mode_field).value_or(0644);
    const std::string& leaf = parts->back();
    const auto file_mode = static_cast<mode_t>((mode & 0755U) | 0600U);
    sys::UniqueFd file(
        ::openat(dir.get(), leaf.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, file_mode));
    if (!file) {
      if (errno == ELOOP || errno == EISDIR) {
        result_.refused.push_back(fmt::format("{}: {} in the way", name, errno == ELOOP ? "a symlink" : "a folder"));
        return consume(
                   *size, [](const char*, std::size_t) {}, ignored) ||
               stop_lost(name, ignored, *size);
      }
      sys::throw_errno(fmt::format("create {}", name));
    }
    std::uint64_t arrived = 0;
    const bool whole = consume(
        *size, [&](const char* data, std::size_t n) { sys::write_all(file.get(), std::string_view(data, n), name); },
        arrived);
    if (!whole) {
      file.reset();
      ::unlinkat(dir.get(), leaf.c_str(), 0);
      return stop_lost(name, arrived, *size);
    }
    result_.files.push_back(join(*parts));
    return true;
  }

  bool stop_lost(const std::string& name, std::uint64_t arrived, std::uint64_t size) {
    result_.lost = fmt::format("the stream stops inside {} ({} of {} bytes arrived, dropped): the rest is lost", name,
                               arrived, size);
    return false;
  }

  static std::string join(const std::vector<std::string>& parts) {
    std::string joined;
    for (const auto& part : parts) joined += (joined.empty() ? "" : "/") + part;
    return joined;
  }

  // Opens (making them) the folders leading to the entry, none through a symlink; for a folder entry all
  // of its components. Sets `refusal` instead of throwing for what the archive got wrong.
  sys::UniqueFd open_parent(const std::vector<std::string>& parts, bool is_folder,
                            std::optional<std::string>& refusal) {
    sys::UniqueFd dir(::fcntl(dest_fd_.get(), F_DUPFD_CLOEXEC, 0));
    if (!dir) sys::throw_errno("dup the results folder");
    const std::size_t folders = is_folder ? parts.size() : parts.size() - 1;
    for (std::size_t i = 0; i < folders; ++i) {
      if (::mkdirat(dir.get(), parts[i].c_str(), 0755) < 0 && errno != EEXIST) {
        sys::throw_errno(fmt::format("mkdir {}", parts[i]));
      }
      sys::UniqueFd next(::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!next) {
        if (errno == ELOOP || errno == ENOTDIR) {
          refusal = fmt::format("'{}' on its way is a symlink or no folder", parts[i]);
          return {};
        }
        sys::throw_errno(fmt::format("open {}", parts[i]));
      }
      dir = std::move(next);
    }
    return dir;
  }

  int tar_fd_;
  sys::UniqueFd dest_fd_;
  std::uint64_t offset_ = 0;
  std::optional<std::string> pending_name_;
  std::string last_name_;
  ResultsExtraction result_;
};

}  // namespace

ResultsExtraction extract_results_tar(const std::filesystem::path& tar_file, const std::filesystem::path& dest) {
  return sys::with_context(fmt::format("results {}", tar_file.string()), [&] {
    sys::UniqueFd fd(::open(tar_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) sys::throw_errno("open");
    return Extractor(fd.get(), dest).run();
  });
}

ResultsFile::ResultsFile(std::filesystem::path path) : path_(std::move(path)) {
  std::filesystem::create_directories(path_.parent_path());
  ::unlink(path_.c_str());  // a stale one of a killed run with the same name
  const sys::UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) sys::throw_errno(fmt::format("create {}", path_.string()));
}

ResultsFile::~ResultsFile() { ::unlink(path_.c_str()); }

ResultsExtraction ResultsFile::extract_to(const std::filesystem::path& dest) const {
  return extract_results_tar(path_, dest);
}

}  // namespace benchrun::vm
