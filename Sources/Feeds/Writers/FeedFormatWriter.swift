/// One feed file being written, entry by entry, newest first.
///
/// A conformer writes to the path it was made with and nowhere else; `finish` leaves a
/// complete, valid document there. The builder decides where that file ends up.
protocol FeedFormatWriter: AnyObject {
    func begin(_ channel: FeedChannel) throws
    func add(_ entry: FeedEntry) throws
    func finish() throws
}
