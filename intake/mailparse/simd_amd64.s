//go:build amd64 && !purego

#include "textflag.h"

// decodeBlocks (see simd_amd64.go) decodes 16 characters at a time
// with SSSE3, as W. Muła and D. Lemire describe ("Faster Base64 Encoding
// and Decoding Using AVX2 Instructions", 2018): a character is of the
// standard alphabet when the bits looked up by its low and by its high
// four bits have none in common; the value to add to it is looked up by
// its high four bits ('/' set apart); pmaddubsw and pmaddwd join the 6-bit
// values into 24 bits, pshufb puts the bytes in order.

DATA b64nibble<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64nibble<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL b64nibble<>(SB), RODATA|NOPTR, $16

// Looked up by the low four bits: 0x10 for none of the alphabet, and
// bit 0 where '+' and '/' are not (high bits 2), bit 1 digits (3), bit 2
// the letters of A-O and a-o (4, 6), bit 3 P-Z and p-z (5, 7).
DATA b64lutlo<>+0(SB)/8, $0x1111111111111115
DATA b64lutlo<>+8(SB)/8, $0x1a1b1b1b1a131111
GLOBL b64lutlo<>(SB), RODATA|NOPTR, $16

// Looked up by the high four bits.
DATA b64luthi<>+0(SB)/8, $0x0804080402011010
DATA b64luthi<>+8(SB)/8, $0x1010101010101010
GLOBL b64luthi<>(SB), RODATA|NOPTR, $16

DATA b64slash<>+0(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA b64slash<>+8(SB)/8, $0x2f2f2f2f2f2f2f2f
GLOBL b64slash<>(SB), RODATA|NOPTR, $16

// Added to a character, by its high four bits (less one for '/'):
// 16 '/', 19 '+', 4 digits, -65 upper case, -71 lower case.
DATA b64roll<>+0(SB)/8, $0xb9b9bfbf04131000
DATA b64roll<>+8(SB)/8, $0x0000000000000000
GLOBL b64roll<>(SB), RODATA|NOPTR, $16

DATA b64merge1<>+0(SB)/8, $0x0140014001400140
DATA b64merge1<>+8(SB)/8, $0x0140014001400140
GLOBL b64merge1<>(SB), RODATA|NOPTR, $16

DATA b64merge2<>+0(SB)/8, $0x0001100000011000
DATA b64merge2<>+8(SB)/8, $0x0001100000011000
GLOBL b64merge2<>(SB), RODATA|NOPTR, $16

// The three bytes of each 32-bit lane, high first, then four zeros.
DATA b64order<>+0(SB)/8, $0x090a040506000102
DATA b64order<>+8(SB)/8, $0x808080800c0d0e08
GLOBL b64order<>(SB), RODATA|NOPTR, $16

// func decodeBlocks(dst, src []byte) (n, i int)
TEXT ·decodeBlocks(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), DX
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	MOVQ DI, R10 // where dst and src start, for n and i
	MOVQ SI, R11
	MOVOU b64nibble<>(SB), X8
	MOVOU b64lutlo<>(SB), X9
	MOVOU b64luthi<>(SB), X10
	MOVOU b64slash<>(SB), X11
	MOVOU b64roll<>(SB), X12
	MOVOU b64merge1<>(SB), X13
	MOVOU b64merge2<>(SB), X14
	MOVOU b64order<>(SB), X7
	PXOR  X6, X6

loop:
	CMPQ  CX, $16
	JB    done
	CMPQ  DX, $16
	JB    done
	MOVOU (SI), X0

	// X1: high four bits, X2: low four bits.
	MOVO  X0, X1
	PSRLL $4, X1
	PAND  X8, X1
	MOVO  X0, X2
	PAND  X8, X2

	// BX: a bit for each character of the alphabet.
	MOVO     X9, X3
	PSHUFB   X2, X3
	MOVO     X10, X4
	PSHUFB   X1, X4
	PAND     X4, X3
	PCMPEQB  X6, X3
	PMOVMSKB X3, BX

	// 6-bit values.
	MOVO    X0, X5
	PCMPEQB X11, X5
	PADDB   X5, X1
	MOVO    X12, X4
	PSHUFB  X1, X4
	PADDB   X4, X0

	// Four values to three bytes, stored before they are known to be
	// of use: what follows the bytes decoded is dst's scratch space.
	PMADDUBSW X13, X0
	PMADDWL   X14, X0
	PSHUFB    X7, X0
	MOVOU     X0, (DI)

	CMPL BX, $0xffff
	JNE  partial
	ADDQ $16, SI
	SUBQ $16, CX
	ADDQ $12, DI
	SUBQ $12, DX
	JMP  loop

partial:
	// The groups before the first character not of the alphabet count
	// when a line break follows them (a line of 4k characters, which
	// decoding skips); anything else is for the byte loops.
	NOTL  BX
	BSFL  BX, R8
	TESTL $3, R8
	JNZ   done
	MOVBLZX (SI)(R8*1), R9
	MOVQ  $1, BX
	CMPL  R9, $0x0a
	JEQ   eol
	CMPL  R9, $0x0d
	JNE   done
	MOVBLZX 1(SI)(R8*1), R9
	CMPL  R9, $0x0a
	JNE   done
	MOVQ  $2, BX

eol:
	// R8 characters decoded, 3/4 as many bytes, and BX of line break.
	MOVQ R8, R9
	SHRQ $2, R9
	LEAQ (R9)(R9*2), R9
	ADDQ R9, DI
	SUBQ R9, DX
	ADDQ BX, R8
	ADDQ R8, SI
	SUBQ R8, CX
	JMP  loop

done:
	SUBQ R10, DI
	SUBQ R11, SI
	MOVQ DI, n+48(FP)
	MOVQ SI, i+56(FP)
	RET

// func hasSSSE3() bool
TEXT ·hasSSSE3(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	SHRL $9, CX
	ANDL $1, CX
	MOVB CX, ret+0(FP)
	RET

DATA plain20<>+0(SB)/8, $0x2020202020202020
DATA plain20<>+8(SB)/8, $0x2020202020202020
GLOBL plain20<>(SB), RODATA|NOPTR, $16

DATA plain7f<>+0(SB)/8, $0x7f7f7f7f7f7f7f7f
DATA plain7f<>+8(SB)/8, $0x7f7f7f7f7f7f7f7f
GLOBL plain7f<>(SB), RODATA|NOPTR, $16

// func plainRun(b []byte) (n int, accents bool)
TEXT ·plainRun(SB), NOSPLIT, $0-33
	MOVQ  b_base+0(FP), SI
	MOVQ  b_len+8(FP), CX
	MOVQ  SI, R10
	XORL  DX, DX
	MOVOU plain20<>(SB), X8
	MOVOU plain7f<>(SB), X9

plainloop:
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
	JNZ      plainstop
	ADDQ     $16, SI
	SUBQ     $16, CX
	JMP      plainloop

plainstop:
	// Passed: a CRLF, and two bytes from 0xc2 0x80 to 0xdf 0xbf.
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
	SUBL $0xc2, AX
	CMPL AX, $(0xdf-0xc2)
	JHI  plainend
	ANDL $0xc0, BX
	CMPL BX, $0x80
	JNE  plainend
	MOVL $1, DX
	ADDQ $2, SI
	SUBQ $2, CX
	JMP  plainloop

plainend:
	SUBQ R10, SI
	MOVQ SI, n+24(FP)
	MOVB DX, accents+32(FP)
	RET
