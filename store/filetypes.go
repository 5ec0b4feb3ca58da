package store

import (
	"path"
	"strings"
)

// Attachment types by what they can do to the coordinator who opens one.
// This file is the one home of these lists: intake refuses, show and the
// exports mark, and nothing serves a risky file inline.

// forbiddenExtensions are programs, scripts and documents with macros: an
// application never needs one, and a coordinator must never be led to
// open one. They are recorded but never kept.
var forbiddenExtensions = map[string]bool{"exe": true, "bat": true, "cmd": true, "com": true, "scr": true,
	"pif": true, "js": true, "jse": true, "vbs": true, "vbe": true, "wsf": true, "msi": true, "msp": true,
	"jar": true, "ps1": true, "dll": true, "hta": true, "lnk": true, "reg": true, "cpl": true, "iso": true,
	"sh": true, "msc": true, "wsh": true, "docm": true, "xlsm": true, "pptm": true, "dotm": true, "xlam": true}

// riskyExtensions are kept (an applicant may well send a zip of
// certificates or an HTML export) but are the usual carriers of
// malware and phishing: web pages and SVG images that run scripts or
// imitate a sign-in page when opened, archives and disk images that hide
// a program from mail filters, OneNote files with embedded scripts, Excel
// add-ins (.xll, a DLL), Windows shortcuts.
var riskyExtensions = map[string]bool{"html": true, "htm": true, "shtml": true, "xhtml": true, "mht": true,
	"mhtml": true, "svg": true, "svgz": true, "zip": true, "7z": true, "rar": true, "iso": true, "img": true,
	"vhd": true, "vhdx": true, "one": true, "onepkg": true, "xll": true, "lnk": true, "hta": true, "cab": true,
	"ace": true, "arj": true, "gz": true, "tgz": true, "bz2": true, "xz": true, "tar": true, "url": true}

var riskyTypes = map[string]bool{"text/html": true, "application/xhtml+xml": true, "image/svg+xml": true,
	"application/zip": true, "application/x-zip-compressed": true, "application/x-7z-compressed": true,
	"application/x-rar-compressed": true, "application/vnd.rar": true, "application/x-iso9660-image": true,
	"application/x-msdownload": true, "application/x-msdos-program": true, "application/hta": true,
	"application/onenote": true, "application/msonenote": true}

func extension(filename string) string {
	return strings.ToLower(strings.TrimPrefix(path.Ext(filename), "."))
}

// ForbiddenAttachment reports a program, script or macro document, and
// its extension: never kept.
func ForbiddenAttachment(filename, contentType string) (ext string, forbidden bool) {
	ext = extension(filename)
	return ext, forbiddenExtensions[ext] || contentType == "application/x-msdownload" ||
		contentType == "application/x-msdos-program"
}

// RiskyAttachment reports a type commonly used to carry malware (see
// riskyExtensions), forbidden ones included: shown marked, never inline.
func RiskyAttachment(filename, contentType string) bool {
	ext := extension(filename)
	if _, bad := ForbiddenAttachment(filename, contentType); bad {
		return true
	}
	return riskyExtensions[ext] || riskyTypes[strings.ToLower(contentType)]
}
