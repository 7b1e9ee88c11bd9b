#include "jit/objfile/macho_export_trie.h"

#include <algorithm>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace maru::jit::objfile {
namespace {

struct TrieNode {
  struct Edge {
    std::string label;
    size_t child;  // index into the node vector
  };
  std::vector<Edge> edges;
  bool terminal = false;
  uint64_t flags = 0;
  uint64_t address = 0;
  uint64_t offset = 0;  // in the serialised trie
};

size_t Uleb128Size(uint64_t value) {
  size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

size_t CommonPrefixLength(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// Inserts `name` below node 0, splitting edges where names diverge (a radix tree: no node with
// a single child unless it is terminal).
absl::Status Insert(std::vector<TrieNode>& nodes, const ExportTrieEntry& entry) {
  std::string_view rest = entry.name;
  size_t node = 0;
  while (!rest.empty()) {
    bool descended = false;
    for (size_t e = 0; e < nodes[node].edges.size(); ++e) {
      const std::string label = nodes[node].edges[e].label;
      const size_t common = CommonPrefixLength(label, rest);
      if (common == 0) continue;
      if (common < label.size()) {
        // Split the edge: node -label[0,common)-> middle -label[common,..)-> old child.
        const size_t middle = nodes.size();
        nodes.push_back(TrieNode{});
        nodes[middle].edges.push_back({label.substr(common), nodes[node].edges[e].child});
        nodes[node].edges[e] = {label.substr(0, common), middle};
      }
      node = nodes[node].edges[e].child;
      rest.remove_prefix(common);
      descended = true;
      break;
    }
    if (!descended) {
      const size_t leaf = nodes.size();
      nodes.push_back(TrieNode{});
      nodes[node].edges.push_back({std::string(rest), leaf});
      node = leaf;
      rest = {};
    }
  }
  if (nodes[node].terminal) {
    return absl::InvalidArgumentError(absl::StrCat("duplicate export ", entry.name));
  }
  nodes[node].terminal = true;
  nodes[node].flags = entry.flags;
  nodes[node].address = entry.address;
  return absl::OkStatus();
}

size_t TerminalSize(const TrieNode& n) {
  return n.terminal ? Uleb128Size(n.flags) + Uleb128Size(n.address) : 0;
}

size_t NodeSize(const std::vector<TrieNode>& nodes, const TrieNode& n) {
  const size_t terminal = TerminalSize(n);
  size_t size = Uleb128Size(terminal) + terminal + 1;
  for (const TrieNode::Edge& e : n.edges) {
    size += e.label.size() + 1 + Uleb128Size(nodes[e.child].offset);
  }
  return size;
}

void PreOrder(const std::vector<TrieNode>& nodes, size_t node, std::vector<size_t>& order) {
  order.push_back(node);
  for (const TrieNode::Edge& e : nodes[node].edges) PreOrder(nodes, e.child, order);
}

}  // namespace

void AppendUleb128(uint64_t value, std::string& out) {
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (value != 0);
}

absl::StatusOr<std::string> BuildExportTrie(const std::vector<ExportTrieEntry>& entries) {
  std::vector<TrieNode> nodes(1);
  for (const ExportTrieEntry& entry : entries) {
    if (entry.name.empty() || entry.name.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError("export names must be non-empty and contain no NUL");
    }
    if (absl::Status s = Insert(nodes, entry); !s.ok()) return s;
  }
  for (TrieNode& n : nodes) {
    if (n.edges.size() > 255) {
      return absl::InvalidArgumentError("export trie node with more than 255 children");
    }
    // Deterministic output whatever the insertion order.
    std::sort(n.edges.begin(), n.edges.end(),
              [](const TrieNode::Edge& a, const TrieNode::Edge& b) { return a.label < b.label; });
  }
  std::vector<size_t> order;
  PreOrder(nodes, 0, order);
  // Offsets to a fixed point: a node's size depends on its children's offsets.
  for (bool changed = true; changed;) {
    changed = false;
    uint64_t offset = 0;
    for (size_t index : order) {
      if (nodes[index].offset != offset) {
        nodes[index].offset = offset;
        changed = true;
      }
      offset += NodeSize(nodes, nodes[index]);
    }
  }
  std::string out;
  for (size_t index : order) {
    const TrieNode& n = nodes[index];
    const size_t terminal = TerminalSize(n);
    AppendUleb128(terminal, out);
    if (n.terminal) {
      AppendUleb128(n.flags, out);
      AppendUleb128(n.address, out);
    }
    out.push_back(static_cast<char>(n.edges.size()));
    for (const TrieNode::Edge& e : n.edges) {
      out.append(e.label);
      out.push_back('\0');
      AppendUleb128(nodes[e.child].offset, out);
    }
  }
  out.resize((out.size() + 7) & ~size_t{7}, '\0');
  return out;
}

}  // namespace maru::jit::objfile
