package msg

// KindExport asks for a file's whole content as something the page can
// hand to the browser's download without holding it: ReadRequest (Offset
// and Limit are ignored) → ReadResult, with the content beside it. When
// the engine keeps contents on disk, that is the message's File (PostFile,
// File): a copy
// of the content in a file of the Origin Private File System of its own,
// which the browser reads from disk as the download is written, so a file
// of many gigabytes is never in memory whole. Otherwise it is the bytes,
// as the data of a KindRead answer.
const KindExport Kind = "export"
