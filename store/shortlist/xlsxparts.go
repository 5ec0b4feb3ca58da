package shortlist

import (
	"archive/zip"
	"bufio"
	"fmt"
	"strconv"
	"time"
)

// The parts of the workbook other than its sheets, written as text: they
// are small and fixed but for the sheet names, counts and dates, and
// written this way nothing needs encoding/xml's reflection.

const (
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsDocRels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRels = "http://schemas.openxmlformats.org/package/2006/relationships"

	relOfficeDoc = nsDocRels + "/officeDocument"
	relCoreProps = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
	relAppProps  = nsDocRels + "/extended-properties"
	relWorksheet = nsDocRels + "/worksheet"
	relStyles    = nsDocRels + "/styles"
	relHyperlink = nsDocRels + "/hyperlink"

	ctPrefix    = "application/vnd.openxmlformats-officedocument."
	ctWorkbook  = ctPrefix + "spreadsheetml.sheet.main+xml"
	ctWorksheet = ctPrefix + "spreadsheetml.worksheet+xml"
	ctStyles    = ctPrefix + "spreadsheetml.styles+xml"
	ctAppProps  = ctPrefix + "extended-properties+xml"
	ctCoreProps = "application/vnd.openxmlformats-package.core-properties+xml"
)

// xlsxPackage writes the parts of a workbook into its zip, one after the
// other, each through the same buffer.
type xlsxPackage struct {
	zw       *zip.Writer
	buf      *bufio.Writer
	modified time.Time
}

// part writes the part name with write. write does not check its writes:
// the buffer keeps the first error and Flush returns it.
func (p *xlsxPackage) part(name string, write func(b *bufio.Writer)) error {
	fw, err := p.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: p.modified})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if p.buf == nil {
		p.buf = bufio.NewWriterSize(fw, 64<<10)
	} else {
		p.buf.Reset(fw)
	}
	write(p.buf)
	if err := p.buf.Flush(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// writeWorkbookParts writes every part but the sheets and their links.
func (p *xlsxPackage) writeWorkbookParts(sheets []xlsxSheet) error {
	for _, part := range []struct {
		name  string
		write func(b *bufio.Writer)
	}{
		{"[Content_Types].xml", func(b *bufio.Writer) { writeContentTypes(b, len(sheets)) }},
		{"_rels/.rels", writePackageRels},
		{"docProps/app.xml", writeAppProps},
		{"docProps/core.xml", func(b *bufio.Writer) { writeCoreProps(b, p.modified) }},
		{"xl/workbook.xml", func(b *bufio.Writer) { writeWorkbook(b, sheets) }},
		{"xl/_rels/workbook.xml.rels", func(b *bufio.Writer) { writeWorkbookRels(b, len(sheets)) }},
		{"xl/styles.xml", writeStyles},
	} {
		if err := p.part(part.name, part.write); err != nil {
			return err
		}
	}
	return nil
}

func sheetPath(i int) string { return "worksheets/sheet" + strconv.Itoa(i+1) + ".xml" }

func writeContentTypes(b *bufio.Writer, sheets int) {
	b.WriteString(xmlDecl)
	b.WriteString(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`)
	b.WriteString(`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`)
	b.WriteString(`<Default Extension="xml" ContentType="application/xml"/>`)
	override := func(part, ct string) {
		b.WriteString(`<Override PartName="/` + part + `" ContentType="` + ct + `"/>`)
	}
	override("xl/workbook.xml", ctWorkbook)
	for i := range sheets {
		override("xl/"+sheetPath(i), ctWorksheet)
	}
	override("xl/styles.xml", ctStyles)
	override("docProps/app.xml", ctAppProps)
	override("docProps/core.xml", ctCoreProps)
	b.WriteString(`</Types>`)
}

// writeRel writes one relationship; target is escaped.
func writeRel(b *bufio.Writer, id int, typ, target string, external bool) {
	// Written piece by piece: a sheet can have thousands of links.
	b.WriteString(`<Relationship Id="rId`)
	b.WriteString(strconv.Itoa(id))
	b.WriteString(`" Type="`)
	b.WriteString(typ)
	b.WriteString(`" Target="`)
	writeEscaped(b, target, false)
	if external {
		b.WriteString(`" TargetMode="External`)
	}
	b.WriteString(`"/>`)
}

func writePackageRels(b *bufio.Writer) {
	b.WriteString(xmlDecl + `<Relationships xmlns="` + nsPkgRels + `">`)
	writeRel(b, 1, relOfficeDoc, "xl/workbook.xml", false)
	writeRel(b, 2, relCoreProps, "docProps/core.xml", false)
	writeRel(b, 3, relAppProps, "docProps/app.xml", false)
	b.WriteString(`</Relationships>`)
}

func writeAppProps(b *bufio.Writer) {
	b.WriteString(xmlDecl + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
		`<Application>rse-intake</Application></Properties>`)
}

// writeCoreProps dates the workbook with the export, as W3CDTF in UTC.
func writeCoreProps(b *bufio.Writer, exported time.Time) {
	date := exported.UTC().Format("2006-01-02T15:04:05Z")
	b.WriteString(xmlDecl + `<cp:coreProperties` +
		` xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:creator>rse-intake</dc:creator>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + date + `</dcterms:created>` +
		`<dcterms:modified xsi:type="dcterms:W3CDTF">` + date + `</dcterms:modified>` +
		`</cp:coreProperties>`)
}

// writeWorkbook lists the sheets, the first one open, and the names Excel
// gives each sheet: its autofilter's range (_xlnm._FilterDatabase, which
// LibreOffice needs to find the filter) and the row printed atop every
// page (_xlnm.Print_Titles).
func writeWorkbook(b *bufio.Writer, sheets []xlsxSheet) {
	b.WriteString(xmlDecl + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsDocRels + `">`)
	b.WriteString(`<bookViews><workbookView activeTab="0"/></bookViews><sheets>`)
	for i, s := range sheets {
		b.WriteString(`<sheet name="`)
		writeEscaped(b, s.name, false)
		b.WriteString(`" sheetId="` + strconv.Itoa(i+1) + `" r:id="rId` + strconv.Itoa(i+1) + `"/>`)
	}
	b.WriteString(`</sheets><definedNames>`)
	for i, s := range sheets {
		definedName(b, "_xlnm._FilterDatabase", i, true, quoteSheet(s.name)+"!$A$1:"+absolute(lastCell(len(s.rows))))
		definedName(b, "_xlnm.Print_Titles", i, false, quoteSheet(s.name)+"!$1:$1")
	}
	b.WriteString(`</definedNames></workbook>`)
}

// definedName writes a name scoped to sheet i; Excel hides its filter
// names.
func definedName(b *bufio.Writer, name string, sheet int, hidden bool, ref string) {
	b.WriteString(`<definedName name="` + name + `" localSheetId="` + strconv.Itoa(sheet) + `"`)
	if hidden {
		b.WriteString(` hidden="1"`)
	}
	b.WriteString(`>`)
	writeEscaped(b, ref, false)
	b.WriteString(`</definedName>`)
}

// writeWorkbookRels points the workbook at its sheets, rId1 to rIdN, and
// at its styles.
func writeWorkbookRels(b *bufio.Writer, sheets int) {
	b.WriteString(xmlDecl + `<Relationships xmlns="` + nsPkgRels + `">`)
	for i := range sheets {
		writeRel(b, i+1, relWorksheet, sheetPath(i), false)
	}
	writeRel(b, sheets+1, relStyles, "styles.xml", false)
	b.WriteString(`</Relationships>`)
}

// Cell styles, the indexes of cellXfs in styles.xml. Cells sit at the top
// of their row.
const (
	styleDefault = iota
	styleHeader
	styleCell
	styleWrap
	styleDate
	styleLink
)

// cellXfs are the cell styles, by index. Fonts: 0 normal, 1 bold, 2 link
// (blue, underlined); fill 2 is the title row's.
var cellXfs = [...]string{
	styleDefault: `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`,
	styleHeader: `<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"` +
		` applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>`,
	styleCell: `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">` +
		`<alignment vertical="top"/></xf>`,
	styleWrap: `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">` +
		`<alignment vertical="top" wrapText="1"/></xf>`,
	styleDate: `<xf numFmtId="` + dateFmtID + `" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"` +
		` applyAlignment="1"><alignment vertical="top"/></xf>`,
	styleLink: `<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">` +
		`<alignment vertical="top" wrapText="1"/></xf>`,
}

// dateFmtID is the id of xlsxDate, the first one free after Excel's
// built-in formats.
const dateFmtID = "164"

func writeStyles(b *bufio.Writer) {
	b.WriteString(xmlDecl + `<styleSheet xmlns="` + nsMain + `">`)
	b.WriteString(`<numFmts count="1"><numFmt numFmtId="` + dateFmtID + `" formatCode="` + xlsxDate + `"/></numFmts>`)
	const font = `<sz val="11"/><name val="Calibri"/><family val="2"/>`
	b.WriteString(`<fonts count="3"><font>` + font + `</font><font><b/>` + font + `</font>` +
		`<font><u val="single"/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/><family val="2"/></font></fonts>`)
	b.WriteString(`<fills count="3"><fill><patternFill patternType="none"/></fill>` +
		`<fill><patternFill patternType="gray125"/></fill>` +
		`<fill><patternFill patternType="solid"><fgColor rgb="FFDDE5F0"/><bgColor indexed="64"/></patternFill></fill></fills>`)
	b.WriteString(`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>`)
	b.WriteString(`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`)
	b.WriteString(`<cellXfs count="` + strconv.Itoa(len(cellXfs)) + `">`)
	for _, xf := range cellXfs {
		b.WriteString(xf)
	}
	b.WriteString(`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>`)
	b.WriteString(`</styleSheet>`)
}
