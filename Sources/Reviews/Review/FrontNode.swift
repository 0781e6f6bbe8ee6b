import Yams

/// Front matter as a tree, with the line (1-based, within the YAML text) of every node: Yams'
/// nodes reduced to what the review parser reads.
indirect enum FrontNode: Equatable {
    case scalar(String, plain: Bool, line: Int)
    case sequence([FrontNode], line: Int)
    case mapping([Pair], line: Int)

    struct Pair: Equatable {
        var key: FrontNode
        var value: FrontNode
    }

    var line: Int {
        switch self {
        case .scalar(_, _, let line), .sequence(_, let line), .mapping(_, let line): return line
        }
    }

    var scalarText: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }

    var pairs: [Pair]? {
        if case .mapping(let pairs, _) = self { return pairs }
        return nil
    }

    /// The same tree from Yams' nodes.
    init(_ node: Node) {
        let line = node.mark?.line ?? 1
        switch node {
        case .scalar(let scalar):
            self = .scalar(scalar.string, plain: scalar.style == .plain, line: line)
        case .sequence(let sequence):
            self = .sequence(sequence.map(FrontNode.init), line: line)
        case .mapping(let mapping):
            self = .mapping(mapping.map { Pair(key: FrontNode($0.key), value: FrontNode($0.value)) }, line: line)
        case .alias:
            self = .scalar("", plain: false, line: line)
        }
    }
}
