//go:build amd64 && !purego

#include "textflag.h"

// decodeBlocks (see simd_amd64.go) decodes 32 characters at a time
// with AVX2, as W. Muła and D. Lemire describe ("Faster Base64 Encoding
// and Decoding Using AVX2 Instructions", 2018): a character is of the
// standard alphabet when the bits looked up by its low and by its high
// four bits have none in common; the value to add to it is looked up by
// its high four bits ('/' set apart); vpmaddubsw and vpmaddwd join the
// 6-bit values into 24 bits, vpshufb and vpermd put the bytes in order.
// Each table is in both 16-byte lanes, as vpshufb looks up in its own.

DATA b64nibble<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64nibble<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64nibble<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64nibble<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL b64nibble<>(SB), RODATA|NOPTR, $32

// Looked up by the low four bits: 0x10 for none of the alphabet, and
// bit 0 where '+' and '/' are not (high bits 2), bit 1 digits (3), bit 2
// the letters of A-O and a-o (4, 6), bit 3 P-Z and p-z (5, 7).
DATA b64lutlo<>+0(SB)/8, $0x1111111111111115
DATA b64lutlo<>+8(SB)/8, $0x1a1b1b1b1a131111
DATA b64lutlo<>+16(SB)/8, $0x1111111111111115
DATA b64lutlo<>+24(SB)/8, $0x1a1b1b1b1a131111
GLOBL b64lutlo<>(SB), RODATA|NOPTR, $32

// Looked up by the high four bits.
DATA b64luthi<>+0(SB)/8, $0x0804080402011010
DATA b64luthi<>+8(SB)/8, $0x1010101010101010
DATA b64luthi<>+16(SB)/8, $0x0804080402011010
DATA b64luthi<>+24(SB)/8, $0x1010101010101010
GLOBL b64luthi<>(SB), RODATA|NOPTR, $32

DATA b64slash<>+0(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA b64slash<>+8(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA b64slash<>+16(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA b64slash<>+24(SB)/8, $0x2f2f2f2f2f2f2f2f
GLOBL b64slash<>(SB), RODATA|NOPTR, $32

// Added to a character, by its high four bits (less one for '/'):
// 16 '/', 19 '+', 4 digits, -65 upper case, -71 lower case.
DATA b64roll<>+0(SB)/8, $0xb9b9bfbf04131000
DATA b64roll<>+8(SB)/8, $0x0000000000000000
DATA b64roll<>+16(SB)/8, $0xb9b9bfbf04131000
DATA b64roll<>+24(SB)/8, $0x0000000000000000
GLOBL b64roll<>(SB), RODATA|NOPTR, $32

DATA b64merge1<>+0(SB)/8, $0x0140014001400140
DATA b64merge1<>+8(SB)/8, $0x0140014001400140
DATA b64merge1<>+16(SB)/8, $0x0140014001400140
DATA b64merge1<>+24(SB)/8, $0x0140014001400140
GLOBL b64merge1<>(SB), RODATA|NOPTR, $32

DATA b64merge2<>+0(SB)/8, $0x0001100000011000
DATA b64merge2<>+8(SB)/8, $0x0001100000011000
DATA b64merge2<>+16(SB)/8, $0x0001100000011000
DATA b64merge2<>+24(SB)/8, $0x0001100000011000
GLOBL b64merge2<>(SB), RODATA|NOPTR, $32

// The three bytes of each 32-bit lane, high first, then four zeros.
DATA b64order<>+0(SB)/8, $0x090a040506000102
DATA b64order<>+8(SB)/8, $0x808080800c0d0e08
DATA b64order<>+16(SB)/8, $0x090a040506000102
DATA b64order<>+24(SB)/8, $0x808080800c0d0e08
GLOBL b64order<>(SB), RODATA|NOPTR, $32

// The 12 bytes of each 16-byte lane, one after the other.
DATA b64lanes<>+0(SB)/8, $0x0000000100000000
DATA b64lanes<>+8(SB)/8, $0x0000000400000002
DATA b64lanes<>+16(SB)/8, $0x0000000600000005
DATA b64lanes<>+24(SB)/8, $0x0000000000000000
GLOBL b64lanes<>(SB), RODATA|NOPTR, $32

// B64BLOCK decodes the 32 characters at src into 24 bytes at dst, and
// jumps to bad when one is not of the alphabet, Y3 and Y4 then having a
// bit in common for each such (looked up by its low four bits, Y2, and
// by its high four bits, Y1). The value to add to a character is looked
// up by its high four bits, '/' set apart; four values become three
// bytes, stored before they are known to be of use: what follows the
// bytes decoded is dst's scratch space (each store writes 32).
#define B64BLOCK(src, dst, bad) \
	VMOVDQU    src, Y0; \
	VPSRLD     $4, Y0, Y1; \
	VPAND      Y8, Y1, Y1; \
	VPAND      Y8, Y0, Y2; \
	VPSHUFB    Y2, Y9, Y3; \
	VPSHUFB    Y1, Y10, Y4; \
	VPCMPEQB   Y11, Y0, Y5; \
	VPADDB     Y5, Y1, Y1; \
	VPSHUFB    Y1, Y12, Y2; \
	VPADDB     Y2, Y0, Y0; \
	VPMADDUBSW Y13, Y0, Y0; \
	VPMADDWD   Y14, Y0, Y0; \
	VPSHUFB    Y7, Y0, Y0; \
	VPERMD     Y0, Y6, Y0; \
	VMOVDQU    Y0, dst; \
	VPTEST     Y4, Y3; \
	JNZ        bad

// func decodeBlocks(dst, src []byte) (n, i int)
//
// Once two line breaks were passed, the lines between them being of 64
// to 95 characters (76 and 72 are what mail clients write), each next
// line is tried whole: its line break where the last one's was, and its
// characters in three groups of 32, the last overlapping the second.
// That takes no more than the groups of 32 would, nor anything else,
// but a line costs three groups and no search for its end (a quarter
// of the instructions); a line that is not so is left to them.
TEXT ·decodeBlocks(SB), NOSPLIT, $0-64
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), DX
	MOVQ    src_base+24(FP), SI
	MOVQ    src_len+32(FP), CX
	VMOVDQU b64nibble<>(SB), Y8
	VMOVDQU b64lutlo<>(SB), Y9
	VMOVDQU b64luthi<>(SB), Y10
	VMOVDQU b64slash<>(SB), Y11
	VMOVDQU b64roll<>(SB), Y12
	VMOVDQU b64merge1<>(SB), Y13
	VMOVDQU b64merge2<>(SB), Y14
	VMOVDQU b64order<>(SB), Y7
	VMOVDQU b64lanes<>(SB), Y6
	VPXOR   Y15, Y15, Y15
	XORL    R12, R12 // where the current line starts, once a line break was passed
	XORL    R13, R13 // the lines' characters, once known: 0 until then
	CMPQ    CX, $32 // nothing to do, and no end less 32 below a nil slice's 0
	JB      done
	CMPQ    DX, $32
	JB      done
	LEAQ    -32(SI)(CX*1), CX // the last places 32 characters may be read from
	LEAQ    -32(DI)(DX*1), DX // and 32 bytes stored at

loop:
	CMPQ     SI, CX
	JHI      done
	CMPQ     DI, DX
	JHI      done
	B64BLOCK((SI), (DI), partial)
	ADDQ     $32, SI
	ADDQ     $24, DI
	JMP      loop

partial:
	// The groups before the first character not of the alphabet count
	// when a line break follows them (a line of 4k characters, which
	// decoding skips); anything else is for the byte loops.
	VPAND     Y4, Y3, Y3
	VPCMPEQB  Y15, Y3, Y3
	VPMOVMSKB Y3, BX
	NOTL      BX
	BSFL      BX, R8
	TESTL     $3, R8
	JNZ       done
	MOVWLZX   (SI)(R8*1), R9
	LEAQ      2(SI)(R8*1), BX // past a CRLF
	CMPL      R9, $0x0a0d
	JEQ       eol
	DECQ      BX // past a LF
	CMPB      R9, $0x0a
	JNE       done

eol:
	// R8 characters decoded, 3/4 as many bytes; BX past the line break.
	LEAQ (SI)(R8*1), R9 // the line's end
	SHRQ $2, R8
	LEAQ (R8)(R8*2), R8
	ADDQ R8, DI
	MOVQ BX, SI
	TESTQ R13, R13
	JNZ   lines
	TESTQ R12, R12
	JZ    first

	// A whole line passed: R12 to R9, its line break to SI.
	MOVQ SI, AX
	SUBQ R12, AX // characters and line break
	SUBQ R12, R9 // characters
	MOVQ SI, R12
	CMPQ R9, $64
	JB   loop
	CMPQ R9, $96
	JAE  loop
	MOVQ R9, R13
	MOVQ AX, R14
	SUBQ R9, R14 // bytes of the line break
	LEAQ -32(R9), R10 // the last group of a line
	MOVQ R10, R11
	SHRQ $2, R11
	LEAQ (R11)(R11*2), R11 // and where its bytes go
	LEAQ -64(CX), R12 // the last place a line may start, as the groups of 32 go

lines:
	CMPQ R14, $2
	JNE  linelf

linecrlf:
	// Where three groups of 32 would be read, and their bytes stored.
	CMPQ     SI, R12
	JHI      loop
	LEAQ     48(DI), R9
	CMPQ     R9, DX
	JHI      loop
	CMPW     (SI)(R13*1), $0x0a0d
	JNE      loop
	B64BLOCK((SI), (DI), loop)
	B64BLOCK(32(SI), 24(DI), loop)
	B64BLOCK((SI)(R10*1), (DI)(R11*1), loop)
	ADDQ     AX, SI
	LEAQ     24(DI)(R11*1), DI
	JMP      linecrlf

linelf:
	CMPQ     SI, R12
	JHI      loop
	LEAQ     48(DI), R9
	CMPQ     R9, DX
	JHI      loop
	CMPB     (SI)(R13*1), $0x0a
	JNE      loop
	B64BLOCK((SI), (DI), loop)
	B64BLOCK(32(SI), 24(DI), loop)
	B64BLOCK((SI)(R10*1), (DI)(R11*1), loop)
	ADDQ     AX, SI
	LEAQ     24(DI)(R11*1), DI
	JMP      linelf

first:
	MOVQ SI, R12 // the line before may have started before src
	JMP  loop

done:
	VZEROUPPER
	SUBQ dst_base+0(FP), DI
	SUBQ src_base+24(FP), SI
	MOVQ DI, n+48(FP)
	MOVQ SI, i+56(FP)
	RET

// func hasAVX2() bool: the processor has it (CPUID 7), and the system
// saves the registers (OSXSAVE, and XCR0's SSE and AVX state).
TEXT ·hasAVX2(SB), NOSPLIT, $0-1
	XORL  AX, AX
	CPUID
	CMPL  AX, $7
	JB    no
	MOVL  $1, AX
	XORL  CX, CX
	CPUID
	ANDL  $0x18000000, CX // OSXSAVE, AVX
	CMPL  CX, $0x18000000
	JNE   no
	XORL  CX, CX
	XGETBV
	ANDL  $6, AX
	CMPL  AX, $6
	JNE   no
	MOVL  $7, AX
	XORL  CX, CX
	CPUID
	SHRL  $5, BX
	ANDL  $1, BX
	MOVB  BX, ret+0(FP)
	RET

no:
	MOVB $0, ret+0(FP)
	RET

DATA plain20<>+0(SB)/8, $0x2020202020202020
DATA plain20<>+8(SB)/8, $0x2020202020202020
DATA plain20<>+16(SB)/8, $0x2020202020202020
DATA plain20<>+24(SB)/8, $0x2020202020202020
GLOBL plain20<>(SB), RODATA|NOPTR, $32

DATA plain7f<>+0(SB)/8, $0x7f7f7f7f7f7f7f7f
DATA plain7f<>+8(SB)/8, $0x7f7f7f7f7f7f7f7f
DATA plain7f<>+16(SB)/8, $0x7f7f7f7f7f7f7f7f
DATA plain7f<>+24(SB)/8, $0x7f7f7f7f7f7f7f7f
GLOBL plain7f<>(SB), RODATA|NOPTR, $32

DATA plaincr32<>+0(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA plaincr32<>+8(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA plaincr32<>+16(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA plaincr32<>+24(SB)/8, $0x0d0d0d0d0d0d0d0d
GLOBL plaincr32<>(SB), RODATA|NOPTR, $32

// Added to a byte, 0xbe makes 0xc2 to 0xdf, the leads of two bytes,
// the bytes below 0x9e as signed bytes (-98), and no other.
DATA plainbe<>+0(SB)/8, $0xbebebebebebebebe
DATA plainbe<>+8(SB)/8, $0xbebebebebebebebe
DATA plainbe<>+16(SB)/8, $0xbebebebebebebebe
DATA plainbe<>+24(SB)/8, $0xbebebebebebebebe
GLOBL plainbe<>(SB), RODATA|NOPTR, $32

DATA plain9e<>+0(SB)/8, $0x9e9e9e9e9e9e9e9e
DATA plain9e<>+8(SB)/8, $0x9e9e9e9e9e9e9e9e
DATA plain9e<>+16(SB)/8, $0x9e9e9e9e9e9e9e9e
DATA plain9e<>+24(SB)/8, $0x9e9e9e9e9e9e9e9e
GLOBL plain9e<>(SB), RODATA|NOPTR, $32

// Continuation bytes, 0x80 to 0xbf, are the bytes below 0xc0 as signed
// bytes (-64).
DATA plainc0<>+0(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA plainc0<>+8(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA plainc0<>+16(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA plainc0<>+24(SB)/8, $0xc0c0c0c0c0c0c0c0
GLOBL plainc0<>(SB), RODATA|NOPTR, $32

// func plainRun(b []byte) (n int, accents bool)
//
// With AVX2 (useAVX2), 32 bytes at a time while 32 are left, each group
// passed at once where it holds no more than shapeOf passes without a
// look: printable ASCII, line feeds, CRLFs and two-byte sequences (a
// unit cut at the group's end left to the next), found by their masks
// (a CR's LF next, a lead's continuation byte next, and no other byte
// above 0x7f), not one by one as French text's accents and line ends
// otherwise are; else the first unit of the group is taken as below.
// Then 16 bytes at a time, the first byte marked in a group stopping it
// but for a unit passed.
TEXT ·plainRun(SB), NOSPLIT, $0-33
	MOVQ    b_base+0(FP), SI
	MOVQ    b_len+8(FP), CX
	MOVQ    SI, R10
	XORL    DX, DX
	MOVOU   plain20<>(SB), X8 // for the SSE2 loop; the AVX2 one's are the same, wider
	MOVOU   plain7f<>(SB), X9
	MOVBLZX ·useAVX2(SB), R14
	TESTQ   R14, R14
	JZ      plainsse
	VMOVDQU plain20<>(SB), Y8
	VMOVDQU plain7f<>(SB), Y9
	VMOVDQU plaincr32<>(SB), Y10
	VMOVDQU plainlf<>(SB), Y11
	VMOVDQU plainbe<>(SB), Y12
	VMOVDQU plain9e<>(SB), Y13
	VMOVDQU plainc0<>(SB), Y14

plainloop:
	CMPQ      CX, $32
	JB        plainshort
	TESTQ     R14, R14
	JZ        plainsse
	VMOVDQU   (SI), Y0
	VPCMPGTB  Y0, Y8, Y1
	VPCMPEQB  Y0, Y9, Y2
	VPOR      Y2, Y1, Y1
	VPMOVMSKB Y1, AX
	TESTL     AX, AX
	JNZ       plainmarks
	ADDQ      $32, SI
	SUBQ      $32, CX
	JMP       plainloop

plainmarks:
	VPMOVMSKB Y0, BX // above 0x7f
	VPCMPEQB  Y0, Y10, Y2
	VPMOVMSKB Y2, R8 // CR
	VPCMPEQB  Y0, Y11, Y2
	VPMOVMSKB Y2, R9 // LF
	VPADDB    Y0, Y12, Y2
	VPCMPGTB  Y2, Y13, Y2
	VPMOVMSKB Y2, R11 // leads of two bytes
	VPCMPGTB  Y0, Y14, Y3
	VPMOVMSKB Y3, R12 // continuation bytes
	MOVL      BX, R13
	ORL       R8, R13
	ORL       R9, R13
	CMPL      R13, AX
	JNE       plainunit
	MOVL      R11, R13
	ORL       R12, R13
	CMPL      R13, BX
	JNE       plainunit
	MOVL      R11, R13
	SHLL      $1, R13
	CMPL      R13, R12
	JNE       plainunit
	MOVL      R8, R13
	SHLL      $1, R13
	NOTL      R9
	ANDL      R9, R13
	JNZ       plainunit
	ORL       BX, DX
	ORL       R8, R11
	SHRL      $31, R11 // the last byte starts a unit: left to the next group
	MOVL      $32, R13
	SUBL      R11, R13
	ADDQ      R13, SI
	SUBQ      R13, CX
	JMP       plainloop

plainshort:
	TESTQ R14, R14
	JZ    plainsse
	VZEROUPPER // no AVX past here: the SSE2 loop is not slowed

plainsse:
	CMPQ  CX, $16
	JB    plainend
	MOVOU (SI), X0

	// Below 0x20 as signed bytes: those and the ones above 0x7f.
	MOVO     X8, X1
	PCMPGTB  X0, X1
	MOVO     X0, X2
	PCMPEQB  X9, X2
	POR      X2, X1
	PMOVMSKB X1, AX
	TESTL    AX, AX
	JNZ      plainunit
	ADDQ     $16, SI
	SUBQ     $16, CX
	JMP      plainsse

plainunit:
	// The unit at the first byte marked in AX passed: a CRLF, two bytes
	// from 0xc2 0x80 to 0xdf 0xbf, and three from 0xe1 0x80 0x80 to 0xef
	// 0xbf 0xbf but 0xed's (0xe0 and 0xed allow fewer second bytes).
	BSFL    AX, AX
	ADDQ    AX, SI
	SUBQ    AX, CX
	CMPQ    CX, $2
	JB      plainend
	MOVBLZX (SI), AX
	MOVBLZX 1(SI), BX
	CMPL    AX, $0x0d
	JNE     plainlead
	CMPL    BX, $0x0a
	JNE     plainend
	ADDQ    $2, SI
	SUBQ    $2, CX
	JMP     plainloop

plainlead:
	ANDL $0xc0, BX
	CMPL BX, $0x80
	JNE  plainend
	MOVL AX, R8
	SUBL $0xc2, AX
	CMPL AX, $(0xdf-0xc2)
	JHI  plainlead3
	MOVL $1, DX
	ADDQ $2, SI
	SUBQ $2, CX
	JMP  plainloop

plainlead3:
	SUBL    $0xe1, R8
	CMPL    R8, $(0xef-0xe1)
	JHI     plainend
	CMPL    R8, $(0xed-0xe1)
	JEQ     plainend
	CMPQ    CX, $3
	JB      plainend
	MOVBLZX 2(SI), BX
	ANDL    $0xc0, BX
	CMPL    BX, $0x80
	JNE     plainend
	MOVL    $1, DX
	ADDQ    $3, SI
	SUBQ    $3, CX
	JMP     plainloop

plainend:
	TESTQ R14, R14
	JZ    plainret
	VZEROUPPER

plainret:
	SUBQ  R10, SI
	MOVQ  SI, n+24(FP)
	TESTL DX, DX
	SETNE accents+32(FP)
	RET

DATA plaincr<>+0(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA plaincr<>+8(SB)/8, $0x0d0d0d0d0d0d0d0d
GLOBL plaincr<>(SB), RODATA|NOPTR, $16

// func dropCRs(b []byte, n, i int) (w, r int)
//
// Every store lands before the first byte not yet read (SI): 16 bytes
// at DI once no carriage return is among them, DI being at most SI; at a
// carriage return k bytes in, the 16 when DI lies 15-k or more behind
// SI, else the k alone, loaded before they are stored. With AVX2
// (useAVX2), 32 bytes at a time the same way while 32 are left, then 16.
TEXT ·dropCRs(SB), NOSPLIT, $0-56
	MOVQ  b_base+0(FP), R10
	MOVQ  b_len+8(FP), CX
	MOVQ  n+24(FP), DI
	MOVQ  i+32(FP), SI
	ADDQ  R10, DI
	ADDQ  R10, SI
	LEAQ  -32(R10)(CX*1), R11 // the last place 32 bytes may be read from
	LEAQ  -16(R10)(CX*1), CX // and 16
	MOVOU plaincr<>(SB), X8
	XORL  R13, R13 // 1 in the AVX2 loop
	CMPB  ·useAVX2(SB), $0
	JEQ   crstart
	VMOVDQU plaincr32<>(SB), Y9
	MOVL  $1, R13

crloop32:
	CMPQ      SI, R11
	JGT       crleave32 // signed, as below
	VMOVDQU   (SI), Y0
	VPCMPEQB  Y9, Y0, Y1
	VPMOVMSKB Y1, AX
	TESTL     AX, AX
	JNZ       crfound32
	VMOVDQU   Y0, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	JMP       crloop32

crfound32:
	BSFL    AX, BX // the bytes before the '\r'
	MOVQ    SI, R9
	SUBQ    DI, R9
	ADDQ    BX, R9
	CMPQ    R9, $31
	JB      crsmall32
	VMOVDQU Y0, (DI)

crnext32:
	ADDQ BX, DI
	LEAQ 1(SI)(BX*1), SI
	JMP  crloop32

crsmall32:
	// k below 31: two loads of 16, or the moves below.
	CMPQ    BX, $16
	JB      crsmall
	VMOVDQU (SI), X1
	VMOVDQU -16(SI)(BX*1), X2
	VMOVDQU X1, (DI)
	VMOVDQU X2, -16(DI)(BX*1)
	JMP     crnext32

crleave32:
	VZEROUPPER // no AVX past here: the SSE2 loop is not slowed
	XORL R13, R13

crstart:
	CMPQ  SI, CX
	JGT   crend // signed: b's end less 16 may lie below b itself

crloop:
	CMPQ     SI, CX
	JHI      crend
	MOVOU    (SI), X0
	MOVO     X0, X1
	PCMPEQB  X8, X1
	PMOVMSKB X1, AX
	TESTL    AX, AX
	JNZ      crfound
	MOVOU    X0, (DI)
	ADDQ     $16, SI
	ADDQ     $16, DI
	JMP      crloop

crfound:
	BSFL AX, BX // the bytes before the '\r'
	MOVQ SI, R9
	SUBQ DI, R9
	ADDQ BX, R9
	CMPQ R9, $15
	JB   crsmall
	MOVOU X0, (DI)

crnext:
	ADDQ BX, DI
	LEAQ 1(SI)(BX*1), SI
	JMP  crloop

crsmall:
	// k below 15: two loads of 8, of 4, or three of 1 cover the k bytes.
	CMPQ BX, $8
	JB   crsmall4
	MOVQ (SI), R8
	MOVQ -8(SI)(BX*1), R9
	MOVQ R8, (DI)
	MOVQ R9, -8(DI)(BX*1)
	JMP  crmoved

crsmall4:
	CMPQ BX, $4
	JB   crsmall1
	MOVL (SI), R8
	MOVL -4(SI)(BX*1), R9
	MOVL R8, (DI)
	MOVL R9, -4(DI)(BX*1)
	JMP  crmoved

crsmall1:
	TESTQ   BX, BX
	JZ      crmoved
	MOVQ    BX, R14
	SHRQ    $1, R14
	MOVBLZX (SI), R8
	MOVBLZX (SI)(R14*1), R9
	MOVBLZX -1(SI)(BX*1), R12
	MOVB    R8, (DI)
	MOVB    R9, (DI)(R14*1)
	MOVB    R12, -1(DI)(BX*1)

crmoved:
	TESTQ R13, R13
	JNZ   crnext32
	JMP   crnext

crend:
	SUBQ R10, DI
	SUBQ R10, SI
	MOVQ DI, w+40(FP)
	MOVQ SI, r+48(FP)
	RET

DATA plainlf<>+0(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA plainlf<>+8(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA plainlf<>+16(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA plainlf<>+24(SB)/8, $0x0a0a0a0a0a0a0a0a
GLOBL plainlf<>(SB), RODATA|NOPTR, $32

// func fullLinesAVX2(lines []byte, stride, eol int) int
//
// A line's first two bytes and last two are compared where they lie;
// then the line feeds of the lines passed are counted 32 bytes at a
// time, four loads a round: each byte lane counts its own (VPSUBB of
// the comparisons' -1), summed every 32 rounds, before one may pass 255.
TEXT ·fullLinesAVX2(SB), NOSPLIT, $0-48
	MOVQ lines_base+0(FP), SI
	MOVQ lines_len+8(FP), CX
	MOVQ stride+24(FP), DX
	MOVQ eol+32(FP), R8
	XORL AX, AX // lines passed
	MOVQ SI, R10
	LEAQ (SI)(CX*1), R11
	SUBQ DX, R11 // the last place a line may start: signed, as it may lie below lines
	CMPQ R8, $2
	JNE  fllf

flcrlf:
	CMPQ SI, R11
	JGT  flcount
	CMPW (SI), $0x2d2d
	JEQ  flcount
	CMPW -2(SI)(DX*1), $0x0a0d
	JNE  flcount
	INCQ AX
	ADDQ DX, SI
	JMP  flcrlf

fllf:
	CMPQ SI, R11
	JGT  flcount
	CMPW (SI), $0x2d2d
	JEQ  flcount
	CMPB -1(SI)(DX*1), $0x0a
	JNE  flcount
	CMPB -2(SI)(DX*1), $0x0d
	JEQ  flcount
	INCQ AX
	ADDQ DX, SI
	JMP  fllf

flcount:
	// R10 to SI: the AX lines passed, of 32 bytes or more each.
	TESTQ   AX, AX
	JZ      flret
	VMOVDQU plainlf<>(SB), Y8
	VPXOR   Y4, Y4, Y4
	VPXOR   Y5, Y5, Y5 // the sums, four
	MOVQ    R10, DI
	LEAQ    -128(SI), R12 // the last place a round may start

flsum:
	VPXOR Y1, Y1, Y1 // each byte lane's count
	MOVL  $32, R13

flround:
	CMPQ     DI, R12
	JGT      flrest
	VPCMPEQB (DI), Y8, Y0
	VPSUBB   Y0, Y1, Y1
	VPCMPEQB 32(DI), Y8, Y0
	VPSUBB   Y0, Y1, Y1
	VPCMPEQB 64(DI), Y8, Y0
	VPSUBB   Y0, Y1, Y1
	VPCMPEQB 96(DI), Y8, Y0
	VPSUBB   Y0, Y1, Y1
	ADDQ     $128, DI
	DECL     R13
	JNZ      flround
	VPSADBW  Y4, Y1, Y1
	VPADDQ   Y1, Y5, Y5
	JMP      flsum

flrest:
	LEAQ -32(SI), R12

flrest32:
	CMPQ     DI, R12
	JGT      fltail
	VPCMPEQB (DI), Y8, Y0
	VPSUBB   Y0, Y1, Y1
	ADDQ     $32, DI
	JMP      flrest32

fltail:
	VPSADBW      Y4, Y1, Y1
	VPADDQ       Y1, Y5, Y5
	VEXTRACTI128 $1, Y5, X1
	VPADDQ       X1, X5, X5
	VPSRLDQ      $8, X5, X1
	VPADDQ       X1, X5, X5
	VMOVQ        X5, BX

	// The last bytes, fewer than 32: the high bits of the last 32's
	// mask (POPCNT came before AVX2).
	MOVQ      SI, CX
	SUBQ      DI, CX
	JZ        flcheck
	VPCMPEQB  -32(SI), Y8, Y0
	VPMOVMSKB Y0, R12
	NEGQ      CX
	ADDQ      $32, CX
	SHRL      CX, R12
	POPCNTL   R12, R12
	ADDQ      R12, BX

flcheck:
	CMPQ BX, AX
	JEQ  flret
	XORL AX, AX // a line feed before a line's end

flret:
	VZEROUPPER
	MOVQ AX, ret+40(FP)
	RET
